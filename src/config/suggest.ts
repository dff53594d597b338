/**
 * Optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions), so
 * `sokcet` is one edit from `socket`.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) { row.push(j); continue; }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

// Case and '_' versus '-' never count as typos: `Max_Body_Size` is `max-body-size`.
const normalize = (s: string): string => s.toLowerCase().replace(/_/g, '-');

/**
 * The candidates `input` was most likely meant to be: those within 2 edits (1 for names of 3
 * characters or fewer), the closest first; failing that, those sharing a prefix of 3 or more
 * characters with it (`keepalive` -> `keepalive-timeout`). At most 3.
 */
export function suggest(input: string, candidates: Iterable<string>): string[] {
  const want = normalize(input);
  const near: Array<{ c: string; d: number }> = [];
  const prefixed: Array<{ c: string; d: number }> = [];
  for (const c of new Set(candidates)) {
    const have = normalize(c);
    const d = editDistance(want, have);
    if (d <= (Math.min(want.length, have.length) <= 3 ? 1 : 2)) near.push({ c, d });
    else if (Math.min(want.length, have.length) >= 3 && (have.startsWith(want) || want.startsWith(have))) {
      prefixed.push({ c, d: Math.abs(have.length - want.length) });
    }
  }
  const pick = near.length > 0 ? near : prefixed;
  return pick.sort((x, y) => x.d - y.d).slice(0, 3).map((x) => x.c);
}

/** `' (did you mean "workers"?)'`, or `''` when nothing is close; for error messages. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const found = suggest(input, candidates).map((c) => `"${c}"`);
  if (found.length === 0) return '';
  const list = found.length === 1 ? found[0] : `${found.slice(0, -1).join(', ')} or ${found.at(-1)}`;
  return ` (did you mean ${list}?)`;
}
