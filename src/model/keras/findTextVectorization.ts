import { isRecord } from '../isRecord.js';
import { toKerasInboundNodes, toNodeList } from './inboundNodes.js';
import { refuse } from './refuse.js';

/** A TextVectorization layer at a model's string input, found in a Keras config. */
export interface FoundTextVectorization {
  /** The layer's name. */
  name: string;
  /** Its get_config(), as saved. */
  config: Record<string, unknown>;
  /**
   * Where Keras's saving_lib put its state: `layers/text_vectorization` (the one layer of its
   * class in `model.layers`), so `assets/<path>/vocabulary.txt` and `<path>/vars` in the weights.
   */
  path: string;
  /** The model config without the layer: its string input becomes `[null, width]` of `dtype`. */
  rewrite(width: number, dtype: 'int32' | 'float32'): unknown;
}

type Layer = Record<string, unknown> & { class_name: string; config: Record<string, unknown> };

/**
 * Finds the TextVectorization of a `.keras` config.json (Keras 3 or tf.keras), which mlserve runs
 * itself before the model (tfjs has no TextVectorization): null when there is none. Pure; `file`
 * labels errors. Refused (ERR_MODEL_UNSUPPORTED, naming the file and the layer): more than one,
 * one not fed by the model's only input, an input that also feeds other layers, a
 * TextVectorization that is a model output.
 *
 * @example
 * const found = findTextVectorization(JSON.parse(configJson), 'm.keras');
 * const topology = found?.rewrite(20, 'int32'); // InputLayer [null, 20] int32 -> Embedding ...
 */
export function findTextVectorization(raw: unknown, file: string): FoundTextVectorization | null {
  if (!isRecord(raw) || !isRecord(raw.config) || !Array.isArray(raw.config.layers)) return null;
  const cls = raw.class_name;
  const layers = raw.config.layers.filter((l): l is Layer => isRecord(l) && typeof l.class_name === 'string' && isRecord(l.config));
  const tvs = layers.filter((l) => l.class_name === 'TextVectorization');
  if (tvs.length === 0) return null;
  const nameOf = (l: Layer) => String(l.name ?? l.config.name ?? l.class_name);
  const instead = 'mlserve runs one TextVectorization, on the model\'s only (string) input: keep the vectorization as the first layer after keras.Input(shape=(1,), dtype="string")';
  if (tvs.length > 1) refuse(file, `has ${tvs.length} TextVectorization layers (${tvs.map(nameOf).join(', ')})`, instead);
  const tv = tvs[0]!;
  const name = nameOf(tv);
  const base = { name, config: tv.config, path: 'layers/text_vectorization' };
  const inputOf = (l: Layer | undefined): Layer | undefined => (l?.class_name === 'InputLayer' ? l : undefined);

  if (cls === 'Sequential') {
    const at = layers.indexOf(tv);
    const input = inputOf(layers[0]);
    if (at !== (input ? 1 : 0)) refuse(file, `layer ${name} is a TextVectorization after layer ${nameOf(layers[at - 1]!)}, not at the model's input`, instead);
    if (input) checkStringInput(input, file, name);
    return {
      ...base,
      rewrite: (width, dtype) => {
        const fresh = inputLayer(input, input ? nameOf(input) : `${name}_input`, width, dtype);
        return { ...raw, config: { ...(raw.config as object), layers: [fresh, ...layers.slice(at + 1)] } };
      },
    };
  }
  if (cls !== 'Functional' && cls !== 'Model') return null; // normalizeKerasConfig refuses the class
  const nodes = toKerasInboundNodes(tv.inbound_nodes, file, name) as [string, number, number][][];
  const source = nodes.length === 1 && nodes[0]!.length === 1 ? nodes[0]![0]![0] : undefined;
  const input = inputOf(layers.find((l) => nameOf(l) === source));
  if (!input) refuse(file, `layer ${name} is a TextVectorization fed by ${source === undefined ? `${nodes.flat().length} tensors` : `layer ${source}`}, not by the model's string input`, instead);
  const inputs = toNodeList(raw.config.input_layers);
  if (!Array.isArray(inputs) || inputs.length !== 1) refuse(file, `the model has ${Array.isArray(inputs) ? inputs.length : 0} inputs; the text API feeds one, through layer ${name}`, instead);
  checkStringInput(input, file, name);
  const inputName = nameOf(input);
  for (const l of layers) {
    if (l === tv) continue;
    const from = (toKerasInboundNodes(l.inbound_nodes, file, nameOf(l)) as [string][][]).flat().map((r) => r[0]);
    if (from.includes(inputName)) refuse(file, `input ${inputName} feeds layer ${nameOf(l)} as well as the TextVectorization ${name}`, instead);
  }
  const outputs = toNodeList(raw.config.output_layers);
  if (Array.isArray(outputs) && outputs.some((o) => Array.isArray(o) && o[0] === name)) refuse(file, `the TextVectorization ${name} is a model output`, 'serve a model whose outputs are computed from the vectorized text');
  return {
    ...base,
    rewrite: (width, dtype) => {
      const rest = layers.filter((l) => l !== tv).map((l) => (l === input ? { ...inputLayer(input, inputName, width, dtype), name: inputName, inbound_nodes: [] } : renameRefs(l, name, inputName)));
      return { ...raw, config: { ...(raw.config as object), layers: rest } };
    },
  };
}

function checkStringInput(input: Layer, file: string, tv: string): void {
  const c = input.config;
  const dtype = isRecord(c.dtype) && isRecord(c.dtype.config) ? c.dtype.config.name : c.dtype;
  const shape = (c.batch_shape ?? c.batch_input_shape) as unknown;
  const name = String(c.name ?? input.name);
  if (dtype !== 'string') refuse(file, `input ${name} has dtype ${String(dtype)}, but feeds the TextVectorization ${tv}`, 'feed the TextVectorization from keras.Input(shape=(1,), dtype="string")');
  if (!Array.isArray(shape) || !(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
    refuse(file, `input ${name} has shape ${JSON.stringify(shape)}; the TextVectorization ${tv} reads one string per row`, 'use keras.Input(shape=(1,), dtype="string") or shape=()');
  }
}

/** An InputLayer `[null, width]` of `dtype` in the form Keras wrote the original (or Keras 3's). */
function inputLayer(original: Layer | undefined, name: string, width: number, dtype: string): Layer {
  const config = { ...(original?.config ?? {}), name, batch_shape: [null, width], dtype, sparse: false, ragged: false };
  delete (config as Record<string, unknown>).batch_input_shape;
  return { ...(original ?? { module: 'keras.layers', registered_name: null }), class_name: 'InputLayer', config };
}

/** The layer with every tensor reference to `from` (Keras 3 keras_history, Keras 2 node lists) pointing at `to`. */
function renameRefs(layer: Layer, from: string, to: string): Layer {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      if (v.length >= 3 && v[0] === from && typeof v[1] === 'number' && typeof v[2] === 'number') return [to, ...v.slice(1)];
      return v.map(walk);
    }
    if (!isRecord(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return { ...layer, inbound_nodes: walk(layer.inbound_nodes) as unknown[] };
}
