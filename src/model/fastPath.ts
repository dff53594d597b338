import { MlserveError } from '../errors.js';
import type { ModelBundle } from './bundle.js';
import { isRecord } from './isRecord.js';
import { createSimdKernels, simdSupport, type SimdKernels } from './simdKernels.js';

/** One Dense layer's weights, as the fast path computes it. */
interface DenseStep {
  name: string;
  /** Row-major `inDim x outDim` (Keras' kernel layout). */
  kernel: Float32Array;
  bias: Float32Array | null;
  inDim: number;
  outDim: number;
  activation: Activation;
}

type Activation = 'linear' | 'relu' | 'softmax' | 'sigmoid' | 'tanh' | 'swish';
// swish: Keras's silu (x * sigmoid(x)), as the Keras config normalisation renames it for tfjs.
const ACTIVATIONS: ReadonlySet<string> = new Set(['linear', 'relu', 'softmax', 'sigmoid', 'tanh', 'swish']);

/**
 * Layers that are the identity at inference, in the class names Keras 2, Keras 3 and tfjs write:
 * the input declaration and the dropout/noise family (Keras applies them with training=True only).
 */
const IDENTITY_LAYERS: ReadonlySet<string> = new Set(['InputLayer', 'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/** GlobalAveragePooling1D, as Keras names it and as the Keras config normalisation renames it (mask-aware). */
const AVERAGE_POOLING_1D: ReadonlySet<string> = new Set(['GlobalAveragePooling1D', 'MaskedGlobalAveragePooling1D']);

/** An Embedding followed by GlobalAveragePooling1D: the mean of the token rows. */
export interface EmbeddingPool {
  name: string;
  /** Row-major `inputDim x outputDim`. */
  table: Float32Array;
  inputDim: number;
  outputDim: number;
  /** Embedding(mask_zero=True): id 0 is padding, left out of the mean (as Keras's GAP1D does with the mask). */
  maskZero: boolean;
}

/** A model the fast path can compute, or why it cannot. */
export type FastPathPlan = { ok: true; steps: DenseStep[]; embedding: EmbeddingPool | null } | { ok: false; reason: string };

/**
 * Decides whether a model can run on the exact sparse fast path: a Sequential stack of Dense
 * layers (InputLayer, Dropout and its noise siblings are skipped: the identity at inference;
 * Activation and a Flatten of a vector fold away), whose first Dense reads the tokenizer's binary
 * bag of words, or an Embedding pooled by GlobalAveragePooling1D. Pure: topology and weights in,
 * plan out; the reason names what does not fit.
 */
export function planFastPath(bundle: ModelBundle): FastPathPlan {
  const topo = bundle.modelTopology as { class_name?: unknown; config?: unknown };
  const config = isRecord(topo.config) ? topo.config : null;
  const layers = Array.isArray(topo.config) ? topo.config : config && Array.isArray(config['layers']) ? config['layers'] : null;
  if (topo.class_name !== 'Sequential' || !layers) return { ok: false, reason: 'not a Sequential model' };
  const firstLayer = (layers as { class_name?: string }[]).find((l) => !IDENTITY_LAYERS.has(String(l.class_name)));
  if (firstLayer?.class_name !== 'Embedding' && firstLayer?.class_name !== 'Dense') {
    return { ok: false, reason: `layer ${String((firstLayer as { config?: { name?: unknown } } | undefined)?.config?.name ?? '?')} is a ${String(firstLayer?.class_name)}, not Dense` };
  }
  const weights = weightViews(bundle);
  const steps: DenseStep[] = [];
  let width = bundle.inputWidth;
  let embedding: EmbeddingPool | null = null;
  let pooled = true;
  for (const layer of layers as { class_name?: string; config?: Record<string, unknown> }[]) {
    const c = layer.config ?? {};
    const name = String(c['name'] ?? '');
    if (IDENTITY_LAYERS.has(String(layer.class_name))) continue;
    if (layer.class_name === 'Embedding') {
      // Embedding -> [Dropout] -> GlobalAveragePooling1D -> [Dropout] -> Dense*: the tutorial text model.
      if (steps.length > 0 || embedding) return { ok: false, reason: `embedding ${name} is not the first layer` };
      const inputDim = Number(c['input_dim']);
      const outputDim = Number(c['output_dim']);
      const table = weights.get(`${name}/embeddings`);
      if (!table || table.length !== inputDim * outputDim) return { ok: false, reason: `layer ${name}: no ${inputDim}x${outputDim} embeddings` };
      embedding = { name, table, inputDim, outputDim, maskZero: c['mask_zero'] === true };
      width = outputDim;
      pooled = false;
      continue;
    }
    if (AVERAGE_POOLING_1D.has(String(layer.class_name))) {
      if (!embedding || pooled) return { ok: false, reason: `pooling ${name} does not follow an Embedding` };
      if (c['keepdims'] === true || (c['data_format'] ?? 'channels_last') !== 'channels_last') return { ok: false, reason: `pooling ${name}: keepdims or channels_first` };
      pooled = true;
      continue;
    }
    if (!pooled) return { ok: false, reason: `layer ${name} is a ${layer.class_name} after an Embedding, not GlobalAveragePooling1D` };
    // Flatten of a [batch, width] tensor changes nothing (a Dense after Dense or pooling).
    if (layer.class_name === 'Flatten') continue;
    if (layer.class_name === 'Activation') {
      const last = steps.at(-1);
      const act = String(c['activation']);
      if (!last || last.activation !== 'linear' || !ACTIVATIONS.has(act)) return { ok: false, reason: `activation layer ${name} cannot be folded` };
      last.activation = act as Activation;
      continue;
    }
    if (layer.class_name !== 'Dense') return { ok: false, reason: `layer ${name} is a ${layer.class_name}, not Dense` };
    const act = String(c['activation'] ?? 'linear');
    if (!ACTIVATIONS.has(act)) return { ok: false, reason: `layer ${name} has activation ${act}` };
    const kernel = weights.get(`${name}/kernel`);
    const units = Number(c['units']);
    if (!kernel || kernel.length !== width * units) return { ok: false, reason: `layer ${name}: no ${width}x${units} kernel` };
    const bias = c['use_bias'] === false ? null : (weights.get(`${name}/bias`) ?? null);
    if (c['use_bias'] !== false && (!bias || bias.length !== units)) return { ok: false, reason: `layer ${name}: no bias of ${units}` };
    steps.push({ name, kernel, bias, inDim: width, outDim: units, activation: act as Activation });
    width = units;
  }
  if (steps.length === 0) return { ok: false, reason: 'no Dense layer' };
  if (width !== bundle.outputWidth) return { ok: false, reason: `output width ${width} is not ${bundle.outputWidth}` };
  return { ok: true, steps, embedding };
}

/** Float32 views of every weight of the bundle, by name (no copy). */
function weightViews(bundle: ModelBundle): Map<string, Float32Array> {
  const views = new Map<string, Float32Array>();
  let offset = 0;
  for (const spec of bundle.weightSpecs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === undefined || spec.dtype === 'float32') views.set(spec.name, new Float32Array(bundle.weightData, offset, n));
    offset += n * 4;
  }
  return views;
}

/**
 * The mean of the embedding rows of one sequence of token ids, into `h` (length outputDim). With
 * mask_zero, ids 0 are padding: left out of the sum and the count, as Keras's pooling reads the
 * mask (tfjs's GlobalAveragePooling1D ignores it); a row of padding only pools to zeros.
 */
export function poolEmbedding(e: EmbeddingPool, ids: Float32Array, h: Float32Array): void {
  const { table, outputDim, inputDim } = e;
  const acc = new Float64Array(outputDim);
  let count = 0;
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t]!;
    if (e.maskZero && id === 0) continue;
    if (!Number.isInteger(id) || id < 0 || id >= inputDim) {
      throw new MlserveError('ERR_TENSOR_SHAPE', `token id ${id} is outside embedding ${e.name} (input_dim ${inputDim})`);
    }
    const row = id * outputDim;
    for (let k = 0; k < outputDim; k++) acc[k] = acc[k]! + table[row + k]!;
    count++;
  }
  // All padding (no known word): zeros, where Keras's 0/0 gives NaN; tfjs (kerasCompatLayers) does the same.
  for (let k = 0; k < outputDim; k++) h[k] = count === 0 ? 0 : acc[k]! / count;
}

/**
 * The exact sparse forward pass. The first Dense over a binary bag of words is a sum of the
 * kernel rows of the words present, plus the bias — ~50 rows of 512 adds instead of a
 * 1000 x 512 product; the layers after it are small dense products. Runs on WebAssembly SIMD
 * (float32, four lanes at a time, as tfjs computes) when the widths are multiples of 4, else in
 * plain JavaScript (float64). Equal to tfjs within 1e-5 either way (test/model/fastPath.test.ts).
 */
export class FastForward {
  readonly #impl: SparseEngine;
  readonly outputWidth: number;
  /** "wasm-simd" or "js": what computes it. */
  readonly engine: 'wasm-simd' | 'js';
  /** Why the engine is `js`, null when it is `wasm-simd`. */
  readonly engineReason: string | null;

  constructor(steps: DenseStep[], options: { simd?: boolean } = {}) {
    this.outputWidth = steps.at(-1)!.outDim;
    const simd = options.simd !== false ? SimdForward.create(steps) : null;
    this.#impl = simd ?? new JsForward(steps);
    this.engine = simd ? 'wasm-simd' : 'js';
    this.engineReason = simd ? null : jsReason(steps, options.simd !== false);
  }

  /** Writes the output row of one text, given its distinct word columns, into `out` at `offset`. */
  forwardSparse(indices: ArrayLike<number>, out: Float32Array, offset: number): void {
    this.#impl.forwardSparse(indices, out, offset);
  }

  /**
   * Writes the output row of one weighted row (count, freq, tf-idf, or a numeric tensor's
   * non-zero entries): the first `n` columns `indices` with their `weights`.
   */
  forwardWeighted(indices: ArrayLike<number>, weights: ArrayLike<number>, n: number, out: Float32Array, offset: number): void {
    this.#impl.forwardWeighted(indices, weights, n, out, offset);
  }

  /** The output row of a dense input row (its zeros skipped), into `out` at `offset`. */
  forwardDense(row: Float32Array, out: Float32Array, offset: number): void {
    const { indices, weights } = this.#scratch(row.length);
    let n = 0;
    for (let i = 0; i < row.length; i++) {
      const v = row[i]!;
      if (v !== 0) {
        indices[n] = i;
        weights[n++] = v;
      }
    }
    this.#impl.forwardWeighted(indices, weights, n, out, offset);
  }

  #scratchBuffers: { indices: Int32Array; weights: Float32Array } | null = null;

  #scratch(width: number): { indices: Int32Array; weights: Float32Array } {
    if (this.#scratchBuffers === null || this.#scratchBuffers.indices.length < width) {
      this.#scratchBuffers = { indices: new Int32Array(width), weights: new Float32Array(width) };
    }
    return this.#scratchBuffers;
  }
}

/** What computes the layers: the SIMD kernels or plain JavaScript. */
interface SparseEngine {
  forwardSparse(indices: ArrayLike<number>, out: Float32Array, offset: number): void;
  forwardWeighted(indices: ArrayLike<number>, weights: ArrayLike<number>, n: number, out: Float32Array, offset: number): void;
}

/** The SIMD engine: weights copied once into the kernels' memory, buffers laid out after them. */
class SimdForward implements SparseEngine {
  readonly #k: SimdKernels;
  readonly #steps: { step: DenseStep; kernel: number; bias: number; out: number; view: Float32Array }[];
  readonly #idx: Int32Array;
  readonly #idxPtr: number;
  readonly #vals: Float32Array;
  readonly #valsPtr: number;

  static create(steps: DenseStep[]): SimdForward | null {
    const first = steps[0]!;
    if (first.outDim % 4 !== 0 || steps.slice(1).some((s) => s.inDim % 4 !== 0)) return null;
    let bytes = align(first.inDim * 4) * 2;
    for (const s of steps) bytes += align(s.kernel.length * 4) + align(s.outDim * 4) * 2;
    const kernels = createSimdKernels(bytes);
    return kernels ? new SimdForward(kernels, steps) : null;
  }

  private constructor(k: SimdKernels, steps: DenseStep[]) {
    this.#k = k;
    const buffer = k.memory.buffer;
    let at = 0;
    const take = (n: number): number => {
      const p = at;
      at += align(n * 4);
      return p;
    };
    this.#idxPtr = take(steps[0]!.inDim);
    this.#idx = new Int32Array(buffer, this.#idxPtr, steps[0]!.inDim);
    this.#valsPtr = take(steps[0]!.inDim);
    this.#vals = new Float32Array(buffer, this.#valsPtr, steps[0]!.inDim);
    this.#steps = steps.map((step, i) => {
      const kernel = take(step.kernel.length);
      new Float32Array(buffer, kernel, step.kernel.length).set(i === 0 ? step.kernel : transpose(step.kernel, step.inDim, step.outDim));
      const bias = take(step.outDim);
      if (step.bias) new Float32Array(buffer, bias, step.outDim).set(step.bias);
      const out = take(step.outDim);
      return { step, kernel, bias, out, view: new Float32Array(buffer, out, step.outDim) };
    });
  }

  forwardSparse(indices: ArrayLike<number>, out: Float32Array, offset: number): void {
    this.#idx.set(indices);
    const first = this.#steps[0]!;
    this.#k.rows(this.#idxPtr, indices.length, first.kernel, first.bias, first.out, first.step.outDim);
    this.#rest(out, offset);
  }

  forwardWeighted(indices: ArrayLike<number>, weights: ArrayLike<number>, n: number, out: Float32Array, offset: number): void {
    for (let j = 0; j < n; j++) {
      this.#idx[j] = indices[j]!;
      this.#vals[j] = weights[j]!;
    }
    const first = this.#steps[0]!;
    this.#k.rowsWeighted(this.#idxPtr, this.#valsPtr, n, first.kernel, first.bias, first.out, first.step.outDim);
    this.#rest(out, offset);
  }

  /** The first layer's activation, the layers after it, and the output row copied out. */
  #rest(out: Float32Array, offset: number): void {
    const [first, ...rest] = this.#steps;
    activate(first!.view, first!.step.activation);
    let prev = first!;
    for (const s of rest) {
      this.#k.dense(prev.out, s.step.inDim, s.kernel, s.bias, s.out, s.step.outDim);
      activate(s.view, s.step.activation);
      prev = s;
    }
    out.set(prev.view, offset);
  }
}

/** The JavaScript engine, in float64, where SIMD does not apply. */
class JsForward implements SparseEngine {
  readonly #steps: DenseStep[];
  readonly #buffers: Float64Array[];
  /** Kernels of the layers after the first, transposed (`outDim x inDim`): each output is one dot product. */
  readonly #transposed: Float32Array[];

  constructor(steps: DenseStep[]) {
    this.#steps = steps;
    this.#buffers = steps.map((s) => new Float64Array(s.outDim));
    this.#transposed = steps.map((s, i) => (i === 0 ? new Float32Array(0) : transpose(s.kernel, s.inDim, s.outDim)));
  }

  forwardSparse(indices: ArrayLike<number>, out: Float32Array, offset: number): void {
    this.forwardWeighted(indices, null, indices.length, out, offset);
  }

  forwardWeighted(indices: ArrayLike<number>, weights: ArrayLike<number> | null, count: number, out: Float32Array, offset: number): void {
    const first = this.#steps[0]!;
    let h = this.#buffers[0]!;
    const { kernel, outDim, bias } = first;
    if (bias) for (let k = 0; k < outDim; k++) h[k] = bias[k]!;
    else h.fill(0);
    for (let n = 0; n < count; n++) {
      const row = indices[n]! * outDim;
      const w = weights === null ? 1 : weights[n]!;
      for (let k = 0; k < outDim; k++) h[k] = h[k]! + w * kernel[row + k]!;
    }
    activate(h, first.activation);
    for (let s = 1; s < this.#steps.length; s++) {
      const step = this.#steps[s]!;
      const next = this.#buffers[s]!;
      dense(h, step, this.#transposed[s]!, next);
      activate(next, step.activation);
      h = next;
    }
    for (let k = 0; k < h.length; k++) out[offset + k] = h[k]!;
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

function transpose(kernel: Float32Array, inDim: number, outDim: number): Float32Array {
  const t = new Float32Array(kernel.length);
  for (let i = 0; i < inDim; i++) for (let k = 0; k < outDim; k++) t[k * inDim + i] = kernel[i * outDim + k]!;
  return t;
}

/** out = x · kernel + bias, with the kernel transposed so each output accumulates in a register. */
function dense(x: Float64Array, step: DenseStep, kernelT: Float32Array, out: Float64Array): void {
  const { bias, inDim, outDim } = step;
  for (let k = 0; k < outDim; k++) {
    let sum = bias ? bias[k]! : 0;
    const base = k * inDim;
    for (let i = 0; i < inDim; i++) sum += x[i]! * kernelT[base + i]!;
    out[k] = sum;
  }
}

function activate(v: Float64Array | Float32Array, act: Activation): void {
  switch (act) {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < v.length; i++) if (v[i]! < 0) v[i] = 0;
      return;
    case 'sigmoid':
      for (let i = 0; i < v.length; i++) v[i] = 1 / (1 + Math.exp(-v[i]!));
      return;
    case 'tanh':
      for (let i = 0; i < v.length; i++) v[i] = Math.tanh(v[i]!);
      return;
    case 'swish':
      for (let i = 0; i < v.length; i++) v[i] = v[i]! / (1 + Math.exp(-v[i]!));
      return;
    case 'softmax': {
      let max = -Infinity;
      for (let i = 0; i < v.length; i++) if (v[i]! > max) max = v[i]!;
      let sum = 0;
      for (let i = 0; i < v.length; i++) {
        const e = Math.exp(v[i]! - max);
        v[i] = e;
        sum += e;
      }
      for (let i = 0; i < v.length; i++) v[i] = v[i]! / sum;
    }
  }
}

function jsReason(steps: DenseStep[], asked: boolean): string {
  if (!asked) return 'SIMD turned off';
  const support = simdSupport();
  if ('reason' in support) return support.reason;
  return `layer widths (${steps.map((s) => s.outDim).join(', ')}) are not all multiples of 4`;
}
