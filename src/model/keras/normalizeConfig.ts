import { isRecord } from '../isRecord.js';
import { invalid } from '../modelArtifacts.js';
import { refuse } from './refuse.js';
import { toKerasInboundNodes, toNodeList } from './inboundNodes.js';

/** A layer as Keras 2 serialises it (`{class_name, config}`), the form tfjs-layers reads. */
export interface KerasLayerConfig {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
  inbound_nodes?: unknown[];
}

/** The model input as its config declares it. */
export interface KerasInput {
  name: string;
  /** Batch dimension included (null). */
  shape: (number | null)[];
  dtype: string;
}

/** A Keras config rewritten for tfjs-layers, with what the weight readers need. */
export interface NormalizedModel {
  /** The modelTopology tfjs-layers builds. */
  topology: { class_name: string; config: unknown; keras_version: string; backend: string };
  /** The model's layers in Keras's `model.layers` order (a Sequential's InputLayer excluded). */
  layers: KerasLayerConfig[];
  inputs: KerasInput[];
}

/** Classes tfjs-layers 4.22 registers (serialization.registerClass), plus mlserve's own. */
const TFJS_CLASSES = new Set(
  (
    'InputLayer Dense Dropout SpatialDropout1D Activation Flatten Reshape Permute RepeatVector Embedding Masking ' +
    'Conv1D Conv2D Conv3D Conv2DTranspose Conv3DTranspose SeparableConv2D DepthwiseConv2D Cropping2D UpSampling2D ' +
    'ZeroPadding2D MaxPooling1D MaxPooling2D MaxPooling3D AveragePooling1D AveragePooling2D AveragePooling3D ' +
    'GlobalAveragePooling2D GlobalMaxPooling1D GlobalMaxPooling2D LSTM GRU SimpleRNN Bidirectional TimeDistributed ' +
    'BatchNormalization LayerNormalization Add Subtract Concatenate Multiply Average Maximum Minimum Dot ReLU LeakyReLU ' +
    'PReLU ELU Softmax ThresholdedReLU GaussianNoise GaussianDropout AlphaDropout ' +
    // mlserve's Keras-faithful replacements (src/model/kerasCompatLayers.ts)
    'MaskedGlobalAveragePooling1D KerasGRU'
  ).split(' '),
);

/** Keras 3's hard_sigmoid (relu6(x + 3) / 6) under a name tfjs resolves to mlserve's activation. */
export const KERAS3_HARD_SIGMOID = 'kerasHardSigmoid';

/**
 * Rewrites a Keras 2 or Keras 3 model config into what tfjs-layers 4.22 builds with Keras's own
 * numbers, and refuses what it cannot build faithfully. Pure; `file` only labels errors.
 * Keras 3 forms rewritten: `module`/`registered_name` wrappers, DTypePolicy objects, InputLayer
 * `batch_shape`, the `{args, kwargs}` inbound_nodes and flat input/output lists, `silu`.
 * Silent tfjs divergences fixed: GlobalAveragePooling1D ignoring masks (-> a mask-aware layer),
 * Keras 3 hard_sigmoid = x/6 + 0.5 (tfjs: 0.2x + 0.5), GRU reset_after=True (tfjs refuses it).
 *
 * @example
 * const { topology, layers } = normalizeKerasConfig(JSON.parse(configJson), { file: 'm.keras', kerasVersion: '3.16.0' });
 */
export function normalizeKerasConfig(
  raw: unknown,
  opts: { file: string; kerasVersion: string | undefined; backend?: string | undefined },
): NormalizedModel {
  const { file } = opts;
  const major = Number((opts.kerasVersion ?? '2').split('.')[0]);
  if (major === 1 || looksLikeKeras1(raw)) {
    refuse(
      file,
      `a Keras 1.x file (keras_version ${opts.kerasVersion ?? 'unknown'})`,
      "mlserve reads Keras 2 and 3 files: load it with Keras 2 and save it again with model.save('model.h5')",
    );
  }
  const ctx: Ctx = { file, keras3: major >= 3, backend: opts.backend };
  const model = unwrap(raw, ctx, '(model)');
  // Before its string InputLayer is refused for its dtype: the TextVectorization is the news.
  const list = Array.isArray(model.config) ? model.config : model.config.layers;
  const tv = Array.isArray(list) ? list.find((l) => isRecord(l) && l.class_name === 'TextVectorization') : undefined;
  if (tv !== undefined) normalizeLayer(tv, ctx);
  const cls = model.class_name;
  let layers: KerasLayerConfig[];
  let config: unknown;
  if (cls === 'Sequential') {
    const list = Array.isArray(model.config) ? model.config : model.config.layers;
    if (!Array.isArray(list)) return invalid(file, 'the Sequential config has no layers');
    const all = list.map((l) => normalizeLayer(l, ctx));
    layers = all.filter((l) => l.class_name !== 'InputLayer');
    config = { name: model.config.name ?? 'sequential', layers: all };
  } else if (cls === 'Functional' || cls === 'Model') {
    const c = model.config;
    if (!Array.isArray(c.layers)) return invalid(file, 'the Functional config has no layers');
    layers = c.layers.map((l) => {
      const n = normalizeLayer(l, ctx);
      const rawLayer = l as Record<string, unknown>;
      return { ...n, name: String(rawLayer.name ?? n.config.name), inbound_nodes: toKerasInboundNodes(rawLayer.inbound_nodes, file, String(n.config.name)) };
    });
    config = { name: c.name ?? 'model', layers, input_layers: toNodeList(c.input_layers), output_layers: toNodeList(c.output_layers) };
  } else {
    return refuse(file, `the model is a ${cls}`, 'mlserve serves Sequential and Functional models: rebuild a subclassed model with the Functional API and save it with model.save');
  }
  const inputs = inputsOf(cls === 'Sequential' ? (config as { layers: KerasLayerConfig[] }).layers : layers, file);
  return {
    topology: { class_name: cls === 'Sequential' ? 'Sequential' : 'Model', config, keras_version: opts.kerasVersion ?? '', backend: opts.backend ?? '' },
    layers,
    inputs,
  };
}

/** The Keras class name before mlserve's replacements (it also names a layer's path in a .keras file). */
export function originalClass(layer: KerasLayerConfig): string {
  return layer.class_name === 'MaskedGlobalAveragePooling1D' ? 'GlobalAveragePooling1D' : layer.class_name === 'KerasGRU' ? 'GRU' : layer.class_name;
}

interface Ctx {
  file: string;
  keras3: boolean;
  backend: string | undefined;
}

/** `{module, class_name, config, registered_name}` -> `{class_name, config}`, refusing custom classes. */
function unwrap(raw: unknown, ctx: Ctx, where: string): { class_name: string; config: Record<string, unknown> & { layers?: unknown } } {
  if (!isRecord(raw) || typeof raw.class_name !== 'string') return invalid(ctx.file, `${where} is not a Keras {class_name, config} object`);
  const cls = raw.class_name;
  const module = raw.module;
  const registered = raw.registered_name;
  const name = isRecord(raw.config) && typeof raw.config.name === 'string' ? raw.config.name : where;
  const builtin = (module === undefined || (typeof module === 'string' && module.startsWith('keras'))) && (registered === undefined || registered === null || registered === cls || (typeof registered === 'string' && registered.startsWith('keras')));
  if (!builtin) {
    refuse(
      ctx.file,
      `layer ${name} is the custom class ${String(registered ?? cls)}${typeof module === 'string' ? ` (module ${module})` : ''}, whose Python code is not in the file`,
      'mlserve builds only Keras built-in layers: rebuild the model from built-in layers (or the custom layer from built-in ones) and save it again',
    );
  }
  if (Array.isArray(raw.config)) return { class_name: cls, config: { layers: raw.config } };
  if (!isRecord(raw.config)) return invalid(ctx.file, `${where} has no config object`);
  return { class_name: cls, config: raw.config };
}

function normalizeLayer(raw: unknown, ctx: Ctx): KerasLayerConfig {
  const { class_name: cls, config: c } = unwrap(raw, ctx, '(layer)');
  const name = String(c.name ?? cls);
  if (cls === 'Lambda') {
    refuse(ctx.file, `layer ${name} is a Lambda, whose Python function cannot be run outside Python`, 'replace the Lambda with built-in layers and save the model again');
  }
  if (cls === 'Sequential' || cls === 'Functional' || cls === 'Model') {
    refuse(ctx.file, `layer ${name} is a nested ${cls} model`, 'flatten the nested model into one Sequential or Functional model and save it again');
  }
  if (cls === 'TextVectorization') {
    refuse(ctx.file, `layer ${name} is a TextVectorization, which mlserve runs from a .keras file only (the vocabulary is an asset there)`, "save the model with model.save('model.keras'), or serve the model that follows it and declare the vectorization in preprocessing.json");
  }
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) config[k] = normalizeValue(k, v, ctx, name, cls);
  if (config.quantization_config != null || (typeof config.quantization_mode === 'string' && config.quantization_mode !== '')) {
    refuse(ctx.file, `layer ${name} is quantized`, 'mlserve serves float32 weights: save the model before quantizing it');
  }
  delete config.quantization_config;
  let outCls = cls;
  if (cls === 'InputLayer') {
    // Keras 3: batch_shape (Keras 2: batch_input_shape); optional/sparse/ragged mean nothing to tfjs.
    if (config.batch_shape !== undefined && config.batch_input_shape === undefined) config.batch_input_shape = config.batch_shape;
    if (config.sparse === true || config.ragged === true) refuse(ctx.file, `input ${name} is sparse or ragged`, 'serve a model with a dense input');
    for (const k of ['batch_shape', 'optional', 'sparse', 'ragged']) delete config[k];
  }
  if (cls === 'GlobalAveragePooling1D') {
    // tfjs's GlobalAveragePooling1D ignores an Embedding(mask_zero=True) mask; Keras averages the
    // unmasked steps only (keras/src/layers/pooling/global_average_pooling1d.py).
    if (config.keepdims === true) refuse(ctx.file, `layer ${name} has keepdims=True`, 'save the model with keepdims=False');
    outCls = 'MaskedGlobalAveragePooling1D';
  }
  if (cls === 'GRU' && config.reset_after === true) {
    // tfjs's GRUCell throws on reset_after (recurrent.ts): mlserve's KerasGRU implements it.
    outCls = 'KerasGRU';
  }
  if (ctx.backend === 'theano' && /^Conv|Conv\dD/.test(cls)) {
    refuse(ctx.file, `layer ${name} is a convolution saved by the theano backend (flipped kernels)`, 'load it with the TensorFlow backend and save it again');
  }
  if (cls === 'Bidirectional') {
    const layer = normalizeLayer(c.layer, ctx);
    config.layer = layer;
    if (c.backward_layer !== undefined) {
      const back = normalizeLayer(c.backward_layer, ctx);
      const same = JSON.stringify({ ...back.config, name: 0, go_backwards: 0 }) === JSON.stringify({ ...layer.config, name: 0, go_backwards: 0 });
      if (!same || back.class_name !== layer.class_name) {
        refuse(ctx.file, `layer ${name} has a backward layer configured differently from its forward layer`, 'tfjs builds the backward copy from the forward layer: use Bidirectional(layer) without backward_layer');
      }
      delete config.backward_layer;
    }
  } else if (cls === 'TimeDistributed') {
    config.layer = normalizeLayer(c.layer, ctx);
  }
  if (!TFJS_CLASSES.has(outCls)) {
    refuse(ctx.file, `layer ${name} is a ${cls}, which tfjs-layers cannot build`, 'rebuild the model with the layers listed in docs/model.md and save it again');
  }
  return { class_name: outCls, config };
}

const ACTIVATION_KEYS = new Set(['activation', 'recurrent_activation']);

function normalizeValue(key: string, v: unknown, ctx: Ctx, name: string, cls: string): unknown {
  if (key === 'dtype') return dtypeName(v, ctx, name, cls);
  // Serving never initialises, regularises or constrains: every weight comes from the file. Zeros
  // avoids both Keras 3 initialiser classes tfjs lacks and tfjs's slow Orthogonal on big kernels.
  if (key.endsWith('_initializer')) return { class_name: 'Zeros', config: {} };
  if (key.endsWith('_regularizer') || key.endsWith('_constraint')) return null;
  if (ACTIVATION_KEYS.has(key)) return activationName(v, ctx, name);
  return v;
}

function dtypeName(v: unknown, ctx: Ctx, name: string, cls: string): unknown {
  // Keras 3 DTypePolicy / tf.keras Policy objects: {class_name, config: {name}}.
  const policy = isRecord(v) && isRecord(v.config) ? v.config.name : v;
  if (typeof policy !== 'string') return v;
  if (policy === 'float32' || (cls === 'InputLayer' && (policy === 'int32' || policy === 'int64'))) return policy === 'int64' ? 'int32' : policy;
  if (cls === 'InputLayer') refuse(ctx.file, `input ${name} has dtype ${policy}`, 'serve a model with a float32 or integer input');
  return refuse(ctx.file, `layer ${name} computes in ${policy}`, "mlserve serves float32 models: set keras.config.set_dtype_policy('float32'), rebuild, load the weights and save again");
}

function activationName(v: unknown, ctx: Ctx, name: string): unknown {
  // Keras 3 may serialise an activation as {module: 'keras.activations', class_name: 'function', config: 'relu'}.
  const a = isRecord(v) && typeof v.config === 'string' ? v.config : v;
  if (typeof a !== 'string') refuse(ctx.file, `layer ${name} has a custom activation`, 'use a built-in activation');
  if (a === 'silu') return 'swish';
  if (a === 'hard_sigmoid' && ctx.keras3) return KERAS3_HARD_SIGMOID;
  return a;
}

function inputsOf(layers: KerasLayerConfig[], file: string): KerasInput[] {
  const inputs: KerasInput[] = [];
  for (const l of layers) {
    const shape = l.config.batch_input_shape;
    if (Array.isArray(shape)) {
      inputs.push({ name: String(l.config.name), shape: shape as (number | null)[], dtype: typeof l.config.dtype === 'string' ? l.config.dtype : 'float32' });
      if (l.class_name !== 'InputLayer') break;
    }
  }
  if (inputs.length === 0) return invalid(file, 'the model config declares no input shape (build the model on an Input before saving)');
  return inputs;
}

function looksLikeKeras1(raw: unknown): boolean {
  // Keras 1 configs: Dense(output_dim=...), init=..., and no keras_version attribute in old files.
  const text = JSON.stringify(raw);
  return /"output_dim":\s*\d+/.test(text) && /"init":/.test(text);
}
