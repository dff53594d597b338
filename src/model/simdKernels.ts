/**
 * The fast path's two WebAssembly SIMD kernels, written as WebAssembly text in kernels.wat and
 * assembled at build time by wabt (assembleKernels.ts) into kernels.wasm beside this module:
 *
 * - `rows(idx, n, kernel, bias, h, width)`: h = bias + the sum of the kernel rows listed in idx
 *   (the first Dense layer over a binary bag of words);
 * - `rowsWeighted(idx, vals, n, kernel, bias, h, width)`: the same with row j scaled by vals[j]
 *   (counts, tf-idf, a sparse tensor row);
 * - `dense(x, inDim, kernelT, bias, out, outDim)`: out = bias + x · kernel, the kernel stored
 *   transposed so each output is one dot product of f32x4 lanes.
 *
 * Both work in float32, four lanes at a time, as tfjs does; widths must be multiples of 4.
 * Whether they can run here is probed once with `WebAssembly.validate` and reported (the engine
 * `wasm-simd` or `js`, with the reason), never fallen back from silently.
 */
import { readFileSync } from 'node:fs';

/** The kernels' exports. Pointers and widths are byte offsets and float counts in `memory`. */
export interface SimdKernels {
  memory: WebAssembly.Memory;
  rows(idx: number, n: number, kernel: number, bias: number, h: number, width: number): void;
  /** h = bias + the sum of vals[j] times kernel row idx[j]: a weighted (count, tf-idf, tensor) row. */
  rowsWeighted(idx: number, vals: number, n: number, kernel: number, bias: number, h: number, width: number): void;
  dense(x: number, inDim: number, kernelT: number, bias: number, out: number, outDim: number): void;
}

const KERNELS_WASM = new URL('./kernels.wasm', import.meta.url);

let probed: { module: WebAssembly.Module } | { reason: string } | undefined;

/**
 * Whether the SIMD kernels run in this runtime: the compiled module, or why not (kernels.wasm
 * missing: the build did not assemble it; or `WebAssembly.validate` refuses it: no SIMD).
 */
export function simdSupport(): { module: WebAssembly.Module } | { reason: string } {
  if (probed) return probed;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(KERNELS_WASM);
  } catch (err) {
    return (probed = { reason: `cannot read ${KERNELS_WASM.pathname} (${(err as NodeJS.ErrnoException).code ?? String(err)}): run \`npm run build\`` });
  }
  if (!WebAssembly.validate(bytes)) return (probed = { reason: 'this runtime does not validate the WebAssembly SIMD kernels (no SIMD support)' });
  return (probed = { module: new WebAssembly.Module(bytes) });
}

/**
 * Instantiates the kernels with at least `bytes` of memory, or returns null where they cannot
 * run ({@link simdSupport} says why; the caller then computes in plain JavaScript and reports
 * the `js` engine).
 */
export function createSimdKernels(bytes: number): SimdKernels | null {
  const support = simdSupport();
  if (!('module' in support)) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const { rows, rowsWeighted, dense } = new WebAssembly.Instance(support.module, { env: { memory } }).exports as unknown as Omit<SimdKernels, 'memory'>;
  return { memory, rows, rowsWeighted, dense };
}
