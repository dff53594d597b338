/** Bodies for `POST /predict` with many texts, each within nginx's client_max_body_size. */
export interface BatchBodies {
  /** JSON bodies `{"texts":[...]}`, each with `size` texts, none sharing a text. */
  bodies: string[];
  /** Texts that had to be cut (at a word boundary) to keep a body within the limit. */
  textsCut: number;
  /** Byte length of the largest body. */
  largestBytes: number;
  /** Byte length of the smallest body. */
  smallestBytes: number;
}

/**
 * nginx's `client_max_body_size` in bytes from a site file (1m by default, as nginx's own
 * default); k and m suffixes are powers of 1024, as nginx reads them.
 *
 * @example
 * clientMaxBodySize('server { client_max_body_size 2m; }') // 2097152
 */
export function clientMaxBodySize(siteConf: string): number {
  const found = /^\s*client_max_body_size\s+(\d+)([kKmMgG]?)\s*;/m.exec(siteConf);
  if (!found) return 1024 * 1024;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[found[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(found[1]) * unit;
}

/** `{"texts":[...]}` as sent. */
export function batchBody(texts: readonly string[]): string {
  return JSON.stringify({ texts });
}

/**
 * Cuts the longest texts in half (at a word boundary) until `batchBody(texts)` is at most
 * `maxBytes` bytes; returns the texts (a copy) and how many distinct texts were cut.
 */
export function fitBatch(texts: readonly string[], maxBytes: number): { texts: string[]; cut: number } {
  const fitted = [...texts];
  const cut = new Set<number>();
  while (Buffer.byteLength(batchBody(fitted)) > maxBytes) {
    let longest = 0;
    fitted.forEach((t, i) => {
      if (t.length > fitted[longest]!.length) longest = i;
    });
    const text = fitted[longest]!;
    if (text.length < 2) throw new RangeError(`fitBatch: ${texts.length} texts cannot fit in ${maxBytes} bytes`);
    const space = text.lastIndexOf(' ', Math.floor(text.length / 2));
    fitted[longest] = text.slice(0, space > 0 ? space : Math.floor(text.length / 2));
    cut.add(longest);
  }
  return { texts: fitted, cut: cut.size };
}

/**
 * `count` bodies of `size` consecutive texts each from `texts` (empty ones skipped), each fitted
 * to `maxBytes` with {@link fitBatch}.
 */
export function batchBodies(texts: readonly string[], options: { count: number; size: number; maxBytes: number }): BatchBodies {
  const { count, size, maxBytes } = options;
  const usable = texts.filter((t) => t.trim() !== '');
  if (usable.length < count * size) throw new RangeError(`batchBodies: ${count} bodies of ${size} texts need ${count * size} texts, ${usable.length} given`);
  let textsCut = 0;
  const bodies = Array.from({ length: count }, (_, i) => {
    const fitted = fitBatch(usable.slice(i * size, (i + 1) * size), maxBytes);
    textsCut += fitted.cut;
    return batchBody(fitted.texts);
  });
  const sizes = bodies.map((b) => Buffer.byteLength(b));
  return { bodies, textsCut, largestBytes: Math.max(...sizes), smallestBytes: Math.min(...sizes) };
}
