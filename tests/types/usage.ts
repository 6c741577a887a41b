// A theme's typed use of aisle's script-tag API, checked by tsc --noEmit against the
// declarations of the installed npm package (tests/e2e/package.test.mjs). Each
// `@ts-expect-error` line must stay an error: the declarations must reject it.
import type { AbandonRisk, AisleApi, AisleCall, AisleStatus } from 'aisle';

window.aisle = window.aisle || [];
window.aisle.push(['addToCart', 8_765_432_109, 1, 59.9]);
window.aisle.push(['removeFromCart', 'p1']);
window.aisle.push(['purchase', { orderId: '1001', revenue: 59.9, currency: 'EUR', items: [{ id: 'p1', quantity: 1, price: 59.9 }] }]);
window.aisle.push(['view', 'p2'], ['consent', true], ['disable']);
window.aisle.push((api: AisleApi) => {
  const status: AisleStatus | null = api.status();
  if (status) console.log(status.arm, status.personalized, status.gridsRanked, status.errors.join('\n'));
  if (status && status.install.ids > (status.install.recognised ?? 0)) console.warn('ids not in the bundle:', status.install.unrecognised);
  const risk: AbandonRisk | null = api.abandonRisk();
  if (risk && risk.score > 0.6) console.log(risk.reasons, risk.nudgeDelayMs);
  const history = api.history();
  if (history) console.log(history.a.map((action) => action.k + action.i), history.c.length);
});

document.addEventListener('aisle:reordered', (event) => {
  const { grids, ms, arm, personalized } = event.detail;
  console.log(grids, ms.toFixed(1), arm, personalized);
});
document.addEventListener('aisle:error', (event) => console.warn(event.detail.code, event.detail.message));
document.addEventListener('aisle:disabled', (event) => console.log(event.detail.reason === 'kill_switch'));
document.addEventListener('aisle:abandon-risk', (event) => console.log(event.detail.score));
document.addEventListener('aisle:show', (event) => console.log(event.detail.afterMs, event.detail.expired));
document.addEventListener('aisle:event', (event) => {
  const recorded = event.detail;
  if (recorded.type === 'exposure') console.log(recorded.experiment, recorded.arm, recorded.shown, recorded.changed);
  if (recorded.type === 'purchase') console.log(recorded.order_id, recorded.items.length);
});

const queued: AisleCall[] = [['view', 'p3']];
window.aisle.push(...queued);

// @ts-expect-error: an unknown call
window.aisle.push(['addToWishlist', 'p1']);
// @ts-expect-error: addToCart's quantity is a number
window.aisle.push(['addToCart', 'p1', 'two']);
// @ts-expect-error: purchase takes an order object
window.aisle.push(['purchase', 'p1']);
document.addEventListener('aisle:reordered', (event) => {
  // @ts-expect-error: the reordered detail has no `order`
  console.log(event.detail.order);
});
