/**
 * Three WebAssembly SIMD kernels for the fast path, assembled here from their instructions (no
 * toolchain, no binary blob in the repository):
 *
 * - `rows(idx, n, kernel, bias, h, width)`: h = bias + the sum of the kernel rows listed in idx
 *   (the first Dense layer over a binary bag of words);
 * - `rowsWeighted(idx, vals, n, kernel, bias, h, width)`: the same with a weight per row (count,
 *   freq, tf-idf rows, a numeric tensor's non-zero entries);
 * - `dense(x, inDim, kernelT, bias, out, outDim)`: out = bias + x · kernel, the kernel stored
 *   transposed so each output is one dot product of f32x4 lanes.
 *
 * Both work in float32, four lanes at a time, as tfjs does; widths must be multiples of 4.
 */

const I32 = 0x7f;
const V128 = 0x7b;

/** Unsigned LEB128. */
function u(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
function s(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...u(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...u(body.length), ...body];
const name = (text: string): number[] => [...u(text.length), ...Buffer.from(text, 'utf8')];

// The instructions used below.
const get = (i: number) => [0x20, ...u(i)];
const set = (i: number) => [0x21, ...u(i)];
const i32c = (n: number) => [0x41, ...s(n)];
const i32add = [0x6a];
const i32mul = [0x6c];
const i32shl = [0x74];
const i32geU = [0x4f];
const i32load = [0x28, 2, 0];
const f32load = [0x2a, 2, 0];
const f32store = [0x38, 2, 0];
const f32add = [0x92];
const f32c0 = [0x43, 0, 0, 0, 0];
const v128load = [0xfd, ...u(0x00), 4, 0];
const v128store = [0xfd, ...u(0x0b), 4, 0];
const f32x4splat = [0xfd, ...u(0x13)];
const lane = (l: number) => [0xfd, ...u(0x1f), l];
const f32x4add = [0xfd, ...u(0xe4)];
const f32x4mul = [0xfd, ...u(0xe6)];
const memoryCopy = [0xfc, ...u(10), 0, 0];
const block = [0x02, 0x40];
const loop = [0x03, 0x40];
const brIf = (d: number) => [0x0d, ...u(d)];
const br = (d: number) => [0x0c, ...u(d)];
const end = [0x0b];

/** `for (i = 0; i < limit; i += step) body` on an i32 local, as block/loop. */
function forLoop(i: number, limit: number[], step: number, body: number[]): number[] {
  return [...i32c(0), ...set(i), ...block, ...loop, ...get(i), ...limit, ...i32geU, ...brIf(1), ...body, ...get(i), ...i32c(step), ...i32add, ...set(i), ...br(0), ...end, ...end];
}

// rows(idx=0, n=1, kernel=2, bias=3, h=4, width=5); locals j=6, row=7, i=8, bytes=9
const rowsBody = [
  ...vec([[...u(4), I32]]),
  ...get(5), ...i32c(2), ...i32shl, ...set(9),
  ...get(4), ...get(3), ...get(9), ...memoryCopy,
  ...forLoop(6, get(1), 1, [
    // row = kernel + idx[j] * bytes
    ...get(2), ...get(0), ...get(6), ...i32c(2), ...i32shl, ...i32add, ...i32load, ...get(9), ...i32mul, ...i32add, ...set(7),
    ...forLoop(8, get(9), 16, [
      ...get(4), ...get(8), ...i32add,
      ...get(4), ...get(8), ...i32add, ...v128load,
      ...get(7), ...get(8), ...i32add, ...v128load,
      ...f32x4add, ...v128store,
    ]),
  ]),
  ...end,
];

// rowsWeighted(idx=0, vals=1, n=2, kernel=3, bias=4, h=5, width=6); locals j=7, row=8, i=9, bytes=10 (i32), w=11 (v128)
const rowsWeightedBody = [
  ...vec([[...u(4), I32], [...u(1), V128]]),
  ...get(6), ...i32c(2), ...i32shl, ...set(10),
  ...get(5), ...get(4), ...get(10), ...memoryCopy,
  ...forLoop(7, get(2), 1, [
    // row = kernel + idx[j] * bytes; w = splat(vals[j])
    ...get(3), ...get(0), ...get(7), ...i32c(2), ...i32shl, ...i32add, ...i32load, ...get(10), ...i32mul, ...i32add, ...set(8),
    ...get(1), ...get(7), ...i32c(2), ...i32shl, ...i32add, ...f32load, ...f32x4splat, ...set(11),
    ...forLoop(9, get(10), 16, [
      ...get(5), ...get(9), ...i32add,
      ...get(5), ...get(9), ...i32add, ...v128load,
      ...get(8), ...get(9), ...i32add, ...v128load, ...get(11), ...f32x4mul,
      ...f32x4add, ...v128store,
    ]),
  ]),
  ...end,
];

// dense(x=0, inDim=1, kernelT=2, bias=3, out=4, outDim=5); locals k=6, i=7 (i32), acc=8 (v128), row=9, bytes=10 (i32)
const denseBody = [
  ...vec([[...u(2), I32], [...u(1), V128], [...u(2), I32]]),
  ...get(1), ...i32c(2), ...i32shl, ...set(10),
  ...forLoop(6, get(5), 1, [
    ...f32c0, ...f32x4splat, ...set(8),
    ...get(2), ...get(6), ...get(10), ...i32mul, ...i32add, ...set(9),
    ...forLoop(7, get(10), 16, [
      ...get(8),
      ...get(0), ...get(7), ...i32add, ...v128load,
      ...get(9), ...get(7), ...i32add, ...v128load,
      ...f32x4mul, ...f32x4add, ...set(8),
    ]),
    // out[k] = bias[k] + ((l0 + l1) + (l2 + l3))
    ...get(4), ...get(6), ...i32c(2), ...i32shl, ...i32add,
    ...get(3), ...get(6), ...i32c(2), ...i32shl, ...i32add, ...f32load,
    ...get(8), ...lane(0), ...get(8), ...lane(1), ...f32add,
    ...get(8), ...lane(2), ...get(8), ...lane(3), ...f32add,
    ...f32add, ...f32add, ...f32store,
  ]),
  ...end,
];

/** The kernels' exports. Pointers and widths are byte offsets and float counts in `memory`. */
export interface SimdKernels {
  memory: WebAssembly.Memory;
  rows(idx: number, n: number, kernel: number, bias: number, h: number, width: number): void;
  /** h = bias + the sum of vals[j] times kernel row idx[j]: a weighted (count, tf-idf, tensor) row. */
  rowsWeighted(idx: number, vals: number, n: number, kernel: number, bias: number, h: number, width: number): void;
  dense(x: number, inDim: number, kernelT: number, bias: number, out: number, outDim: number): void;
}

/** The module's bytes, for a memory of `pages` 64 KiB pages. */
export function simdModuleBytes(pages: number): Uint8Array {
  const sixI32 = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])];
  const sevenI32 = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([sixI32, sevenI32])),
    ...section(3, vec([u(0), u(0), u(1)])),
    ...section(5, vec([[0x00, ...u(pages)]])),
    ...section(7, vec([
      [...name('rows'), 0x00, ...u(0)],
      [...name('dense'), 0x00, ...u(1)],
      [...name('rowsWeighted'), 0x00, ...u(2)],
      [...name('memory'), 0x02, ...u(0)],
    ])),
    ...section(10, vec([
      [...u(rowsBody.length), ...rowsBody],
      [...u(denseBody.length), ...denseBody],
      [...u(rowsWeightedBody.length), ...rowsWeightedBody],
    ])),
  ];
  return Uint8Array.from(bytes);
}

/**
 * Instantiates the kernels with at least `bytes` of memory, or returns null where WebAssembly
 * SIMD is not available (the caller then computes in plain JavaScript).
 */
export function createSimdKernels(bytes: number): SimdKernels | null {
  try {
    const module = new WebAssembly.Module(simdModuleBytes(Math.ceil(bytes / 65536)));
    return new WebAssembly.Instance(module).exports as unknown as SimdKernels;
  } catch {
    return null;
  }
}
