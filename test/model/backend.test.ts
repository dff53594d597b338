import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectBackend } from '../../src/model/backend.js';

const hasTfjsNode = await import('@tensorflow/tfjs-node' as string).then(() => true, () => false);

describe('selectBackend', () => {
  it('auto takes tfjs-node when installed, else wasm, and says why it skipped', async () => {
    const { tf, backend, skipped } = await selectBackend('auto');
    assert.equal(backend, hasTfjsNode ? 'tensorflow' : 'wasm');
    assert.equal(tf.getBackend(), backend);
    if (!hasTfjsNode) assert.match(skipped[0]?.reason ?? '', /tfjs-node/);
    assert.deepEqual(Array.from(tf.tidy(() => tf.tensor([1, 2]).square()).dataSync()), [1, 4]);
  });

  it('fails with ERR_BACKEND when tensorflow is asked for and tfjs-node is missing', { skip: hasTfjsNode }, async () => {
    await assert.rejects(selectBackend('tensorflow'), { code: 'ERR_BACKEND', message: /backend "tensorflow" is not available/ });
  });

  it('activates cpu on request', async () => {
    const { backend } = await selectBackend('cpu');
    assert.equal(backend, 'cpu');
  });
});
