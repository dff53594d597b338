/**
 * How many queued requests the next batch takes, Triton-style with no delay: everything
 * waiting, in FIFO order, while the rows fit in `maxRows`. The first request is always taken,
 * even when it alone has more rows than `maxRows` (a POST of many texts is never split: its
 * rows are predicted together and answered together).
 *
 * @param rows rows of each queued request, oldest first
 * @example batchCount([1, 1, 30, 1], 32) // 2: the third would overflow
 */
export function batchCount(rows: ArrayLike<number>, maxRows: number): number {
  if (rows.length === 0) return 0;
  let total = rows[0]!;
  let n = 1;
  while (n < rows.length && total + rows[n]! <= maxRows) {
    total += rows[n]!;
    n++;
  }
  return n;
}
