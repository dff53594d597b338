/**
 * Longest URL-encoded text a GET may carry to both servers. The peer's uWSGI rejects requests
 * whose vars exceed its buffer-size (4096 bytes) and the query is in both REQUEST_URI and
 * QUERY_STRING: measured, 1750 bytes pass and 2100 do not. 1500 leaves room for headers.
 * About 3 in 4 Reuters texts fit whole; the rest are cut at a word boundary.
 */
export const MAX_GET_TEXT_BYTES = 1500;

/** `text` cut at a word boundary so that encodeURIComponent(text) is at most `maxBytes` long. */
export function fitForGet(text: string, maxBytes: number = MAX_GET_TEXT_BYTES): string {
  if (encodeURIComponent(text).length <= maxBytes) return text;
  let used = 0;
  let end = 0;
  for (const match of text.matchAll(/\S+\s*/g)) {
    const size = encodeURIComponent(match[0]).length;
    if (used + size > maxBytes) break;
    used += size;
    end = match.index + match[0].length;
  }
  return text.slice(0, end).trimEnd();
}

/** The GET path predicting `text`. */
export function predictPath(text: string): string {
  return `/predict?text=${encodeURIComponent(text)}`;
}
