import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ModelBundle } from '../../src/model/bundle.js';
import { outputDecodingOf } from '../../src/model/outputDecoding.js';
import { sharedDir } from './paths.js';

const PY = '/usr/bin/python3';

/** True when /usr/bin/python3 has h5py and numpy (Debian python3-h5py, python3-numpy). */
export const haveH5py = spawnSync(PY, ['-c', 'import h5py, numpy']).status === 0;

/**
 * A ModelBundle of a shared Keras 3 fixture (`../shared/fixtures/keras3/NAME.h5`) read with h5py,
 * with the fixture's inputs and Keras's own predictions. A test-side reader of the serving half
 * of issue 11, independent of mlserve's own Keras readers (src/model/keras/): the topology is
 * Keras's model_config as saved, weights named `<layer>/<weight>` in layer order.
 */
export function kerasH5Fixture(name: string): { bundle: ModelBundle; x: Float32Array; y: Float32Array; rows: number } {
  const dir = join(sharedDir, 'fixtures', 'keras3');
  const code = `
import h5py, json, numpy as np, sys, base64
d = sys.argv[1]; n = sys.argv[2]
f = h5py.File(f'{d}/{n}.h5', 'r'); mw = f['model_weights']
specs, blobs = [], []
for layer in [x.decode() if isinstance(x, bytes) else x for x in mw.attrs['layer_names']]:
    for w in [x.decode() if isinstance(x, bytes) else x for x in mw[layer].attrs['weight_names']]:
        a = np.asarray(mw[layer][w], np.float32)
        specs.append({'name': layer + '/' + w.split('/')[-1], 'shape': list(a.shape), 'dtype': 'float32'}); blobs.append(a.tobytes())
x = np.load(f'{d}/{n}_x.npy').astype(np.float32); y = np.load(f'{d}/{n}_y.npy').astype(np.float32)
print(json.dumps({'topology': json.loads(f.attrs['model_config']), 'specs': specs, 'weights': base64.b64encode(b''.join(blobs)).decode(),
  'x': base64.b64encode(x.tobytes()).decode(), 'y': base64.b64encode(y.tobytes()).decode(), 'rows': x.shape[0], 'xshape': list(x.shape[1:]), 'ywidth': y.shape[1]}))`;
  const r = spawnSync(PY, ['-c', code, dir, name], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`h5py could not read ${name}: ${r.stderr}`);
  const d = JSON.parse(r.stdout) as { topology: object; specs: ModelBundle['weightSpecs']; weights: string; x: string; y: string; rows: number; xshape: number[]; ywidth: number };
  const floats = (b64: string) => {
    const buf = Buffer.from(b64, 'base64');
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  };
  const weightData = Buffer.from(d.weights, 'base64');
  const layers = (d.topology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
  const head = layers.at(-1)!.config;
  const bundle: ModelBundle = {
    name,
    version: 1,
    dir,
    modelTopology: d.topology,
    weightSpecs: d.specs,
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
    tokenizerJson: '',
    labels: Array.from({ length: d.ywidth }, (_, i) => String(i)),
    preprocessing: null,
    decoding: outputDecodingOf({ activation: String(head['activation'] ?? 'linear'), units: d.ywidth, fromLogits: false }),
    metadata: {},
    inputWidth: d.xshape.reduce((a, b) => a * b, 1),
    inputShape: d.xshape,
    outputWidth: d.ywidth,
  };
  return { bundle, x: floats(d.x), y: floats(d.y), rows: d.rows };
}
