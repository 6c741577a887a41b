//! Order statistics and number formatting shared by the bench's sections.

export function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** median, p10, p90, min, max of the finite numbers among `values`. */
export function stats(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return { n: v.length, median: quantile(v, 0.5), p10: quantile(v, 0.1), p90: quantile(v, 0.9), min: v[0], max: v[v.length - 1] };
}

export const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
export const spread = (s, digits = 1, unit = '') => `${fmt(s.median, digits)}${unit} (p10 ${fmt(s.p10, digits)}, p90 ${fmt(s.p90, digits)})`;
export const kb = (bytes, digits = 1) => `${fmt(bytes / 1024, digits)} KB`;

/** A seeded generator of uniform numbers in [0, 1) (mulberry32): the bench's resampling
 * gives the same intervals for the same figures. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Percentile bootstrap interval (90% by default) of median(a) − median(b), the two samples
 * resampled independently: whether a difference of medians is more than run-to-run noise. */
export function medianDiffInterval(a, b, { iterations = 2000, level = 0.9, seed = 1 } = {}) {
  const x = a.filter(Number.isFinite), y = b.filter(Number.isFinite);
  if (!x.length || !y.length) return [NaN, NaN];
  const random = seeded(seed);
  const resampledMedian = (v) => quantile(Array.from(v, () => v[Math.floor(random() * v.length)]).sort((p, q) => p - q), 0.5);
  const diffs = Array.from({ length: iterations }, () => resampledMedian(x) - resampledMedian(y)).sort((p, q) => p - q);
  return [quantile(diffs, (1 - level) / 2), quantile(diffs, 1 - (1 - level) / 2)];
}
