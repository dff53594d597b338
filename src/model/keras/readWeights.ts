import type { io } from '@tensorflow/tfjs';
import { concatBytes, invalid } from '../modelArtifacts.js';
import type { H5Array, H5File } from './h5File.js';
import { tfjsWeightNames } from './layerWeightNames.js';
import { originalClass, type KerasLayerConfig } from './normalizeConfig.js';
import { refuse } from './refuse.js';

/** Weights in the bundle's form: specs in order and their float32 bytes, concatenated. */
export interface PackedWeights {
  weightSpecs: io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

/**
 * Which weights layout an HDF5 weights file uses: Keras 2 / legacy (`layer_names` attribute,
 * at the root or under `model_weights/`) or Keras 3 (`layers/<snake_case>/vars/0..`).
 */
export function weightsLayout(h5: H5File): { kind: 'legacy'; root: string } | { kind: 'keras3' } | null {
  if (h5.attrStrings('model_weights', 'layer_names') !== undefined) return { kind: 'legacy', root: 'model_weights' };
  if (h5.attrStrings('/', 'layer_names') !== undefined) return { kind: 'legacy', root: '' };
  if (h5.keys('layers') !== undefined) return { kind: 'keras3' };
  return null;
}

/**
 * Reads the weights of `layers` from an HDF5 file in either layout and packs them under the
 * names tfjs-layers loads. Legacy files are matched as Keras's load_weights_from_hdf5_group does:
 * the layers that have weights, in order, against the file's `layer_names` that have weights.
 * Keras 3 files are matched by the path Keras's saving_lib writes for each layer.
 */
export function readWeights(h5: H5File, layers: KerasLayerConfig[]): PackedWeights {
  const layout = weightsLayout(h5);
  if (layout === null) return invalid(h5.label, 'holds no Keras weights (no layer_names attribute and no layers/ group)');
  const arrays = layout.kind === 'legacy' ? legacyArrays(h5, layout.root, layers) : keras3Arrays(h5, layers);
  return pack(layers, arrays, h5.label);
}

function legacyArrays(h5: H5File, root: string, layers: KerasLayerConfig[]): H5Array[][] {
  const at = (...parts: string[]) => parts.filter((p) => p !== '').join('/');
  const fileLayers = (h5.attrStrings(root === '' ? '/' : root, 'layer_names') ?? [])
    .map((name) => ({ name, weightNames: h5.attrStrings(at(root, name), 'weight_names') ?? [] }))
    .filter((l) => l.weightNames.length > 0);
  const top = h5.attrStrings(at(root, 'top_level_model_weights'), 'weight_names') ?? [];
  if (top.length > 0) refuse(h5.label, `the model has ${top.length} weights of its own (top_level_model_weights)`, 'serve a model whose weights all belong to built-in layers');
  const wanting = layers.filter((l) => tfjsWeightNames(l).length > 0);
  if (fileLayers.length !== wanting.length) {
    return invalid(
      h5.label,
      `holds weights for ${fileLayers.length} layers (${fileLayers.map((l) => l.name).join(', ')}) but the model config has ${wanting.length} layers with weights (${wanting.map((l) => l.config.name).join(', ')})`,
    );
  }
  const byLayer = new Map<KerasLayerConfig, H5Array[]>();
  wanting.forEach((layer, i) => {
    const f = fileLayers[i]!;
    byLayer.set(layer, f.weightNames.map((w) => h5.readFloat32(at(root, f.name, w))));
  });
  return layers.map((l) => byLayer.get(l) ?? []);
}

function keras3Arrays(h5: H5File, layers: KerasLayerConfig[]): H5Array[][] {
  const used = new Map<string, number>();
  return layers.map((layer) => {
    // keras/src/saving/saving_lib.py _save_container_state: snake_case class name, _1, _2... for repeats.
    const base = snakeCase(originalClass(layer));
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    const key = `layers/${n === undefined ? base : `${base}_${n + 1}`}`;
    const savedName = h5.attrString(`${key}/vars`, 'name');
    if (savedName !== undefined && savedName !== layer.config.name) {
      return invalid(h5.label, `${key} holds the weights of layer ${savedName}, but the config puts layer ${String(layer.config.name)} there`);
    }
    return h5.keys(key) === undefined ? [] : varsUnder(h5, key);
  });
}

// A layer's own variables first, then its sub-objects in the order Keras lists their weights
// (an RNN's cell; a Bidirectional's forward then backward layer).
const CHILD_ORDER = ['cell', 'forward_layer', 'backward_layer', 'layer'];

function varsUnder(h5: H5File, group: string): H5Array[] {
  const out: H5Array[] = [];
  const vars = h5.keys(`${group}/vars`) ?? [];
  for (let i = 0; vars.includes(String(i)); i++) out.push(h5.readFloat32(`${group}/vars/${i}`));
  const children = (h5.keys(group) ?? []).filter((k) => k !== 'vars');
  children.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const child of children) out.push(...varsUnder(h5, `${group}/${child}`));
  return out;
}

function rank(child: string): number {
  const i = CHILD_ORDER.indexOf(child);
  return i < 0 ? CHILD_ORDER.length : i;
}

function pack(layers: KerasLayerConfig[], arrays: H5Array[][], label: string): PackedWeights {
  const weightSpecs: io.WeightsManifestEntry[] = [];
  const chunks: Float32Array[] = [];
  layers.forEach((layer, i) => {
    const names = tfjsWeightNames(layer);
    const got = arrays[i] ?? [];
    if (got.length !== names.length) {
      return invalid(label, `layer ${String(layer.config.name)} (${originalClass(layer)}) has ${got.length} weights in the file, the model needs ${names.length} (${names.join(', ') || 'none'})`);
    }
    got.forEach((a, j) => {
      weightSpecs.push({ name: names[j]!, shape: a.shape, dtype: 'float32' });
      chunks.push(a.data);
    });
  });
  return { weightSpecs, weightData: concatBytes(chunks) };
}


/** keras/src/utils/naming.py to_snake_case. */
export function snakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
