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
