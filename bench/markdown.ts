/** A GitHub-flavoured Markdown table; columns after the first are right-aligned unless `left` says otherwise. */
export function mdTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, left: readonly number[] = [0]): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `| ${headers.map((_, i) => (left.includes(i) ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Milliseconds with two decimals under 10, one under 100, none above: 0.84, 12.3, 230. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/** A count with thousands separators: 12,345. */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** KiB as MiB, no decimals. */
export function fmtMiB(kib: number): string {
  return (kib / 1024).toFixed(0);
}

/** A 0..1 share as a percentage. */
export function fmtPct(share: number): string {
  return `${(share * 100).toFixed(0)}%`;
}
