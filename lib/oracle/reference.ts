// Reference price of a market: the median of its healthy sources (Pyth aggregates publishers and
// Chainlink aggregates nodes with medians for the same reason: one bad source cannot move it).

/** Median of the values; the mean of the two middle values for an even count; null when empty. */
export function median(values: readonly number[]): number | null {
  const n = values.length;
  if (n === 0) return null;
  if (n === 1) return values[0];
  if (n === 2) return (values[0] + values[1]) / 2;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** |price − reference| / reference, as a fraction (0.052 = 5.2 %). */
export function relativeDeviation(price: number, reference: number): number {
  return Math.abs(price - reference) / reference;
}
