import type { io } from '@tensorflow/tfjs';
import type { ModelBundle } from './bundle.js';
import { readModelArtifacts, writeModelArtifacts } from './modelArtifacts.js';

/**
 * A tfjs IOHandler whose `load()` hands over a bundle already in memory, so a worker builds its
 * model from what the master read, without touching the disk.
 *
 * @example
 * const model = await tf.loadLayersModel(bundleIOHandler(bundle));
 */
export function bundleIOHandler(bundle: ModelBundle): io.IOHandler {
  return {
    load: async function loadBundle(): Promise<io.ModelArtifacts> {
      return {
        modelTopology: bundle.modelTopology,
        weightSpecs: bundle.weightSpecs,
        weightData: bundle.weightData,
        format: 'layers-model',
      };
    },
  };
}

/**
 * A tfjs IOHandler for a directory: `save()` writes model.json and group1-shard1of1.bin, `load()`
 * reads them back, checked. Pure tfjs has no `file://` scheme (only tfjs-node does).
 *
 * @example
 * await model.save(fileIOHandler('models/reuters/2'));
 */
export function fileIOHandler(dir: string): io.IOHandler {
  return {
    save: async function saveToDir(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      return writeModelArtifacts(dir, artifacts);
    },
    load: async function loadFromDir(): Promise<io.ModelArtifacts> {
      return { ...(await readModelArtifacts(dir)), format: 'layers-model' };
    },
  };
}
