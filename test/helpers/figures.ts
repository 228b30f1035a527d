/**
 * The figures a test expects from a list of scores, worked out here and not by the application:
 * count, mean to two decimals, median, and how many gave each point of a 1–5 scale.
 */
export function expectedFigures(scores: readonly number[]) {
  const sorted = [...scores].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return {
    count: scores.length,
    mean: Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100,
    median: sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2,
    distribution: [1, 2, 3, 4, 5].map((v) => scores.filter((s) => s === v).length),
  };
}
