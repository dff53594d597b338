/**
 * The fast path is exact: on the whole Reuters test split (2,246 texts) its outputs equal the
 * tfjs graph's within 1e-5, and it predicts the same classes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readModelBundle } from '../../src/model/bundle.js';
import { selectBackend } from '../../src/model/backend.js';
import { createPredictor } from '../../src/model/predictor.js';
import { createFastPredictor } from '../../src/model/fastPredictor.js';
import { planFastPath } from '../../src/model/fastPath.js';
import { simdSupport } from '../../src/model/simdKernels.js';
import { reutersTestSplit } from '../../src/train/dataset.js';
import { reutersModelBase } from '../helpers/paths.js';

// Both engines against tfjs, each named: regression, the parity test could not tell which engine
// ran (they differ by ~3e-7, inside the tolerance), so a SIMD build failure fell back unseen.
for (const [engine, simd] of [['wasm-simd', true], ['js', false]] as const) {
  test(`fast path (${engine}) equals the tfjs graph within 1e-5 on the whole Reuters test split`, async () => {
    const bundle = await readModelBundle(join(reutersModelBase, '1'), { name: 'reuters', version: 1 });
    const plan = createFastPredictor(bundle, { simd });
    if (!('predictor' in plan)) assert.fail(`the Reuters MLP must qualify for the fast path: ${plan.reason}`);
    const fast = plan.predictor;
    assert.equal(fast.engine, engine, `engine ${fast.engine}: ${fast.engineReason}`);
    const { tf } = await selectBackend('wasm');
    const reference = await createPredictor(bundle, tf);
    const { texts } = reutersTestSplit();
    assert.equal(texts.length, 2246);
    let maxDiff = 0;
    let sameClass = 0;
    for (let start = 0; start < texts.length; start += 256) {
      const chunk = texts.slice(start, start + 256);
      const want = reference.forward(reference.tokenizer.textsToMatrix(chunk, 'binary'), chunk.length);
      const got = fast.predictRows(chunk);
      assert.equal(got.length, want.length);
      for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - want[i]!));
      const a = fast.predictBatch(chunk);
      const b = reference.predictBatch(chunk);
      for (let i = 0; i < chunk.length; i++) if (a.classes[i] === b.classes[i]) sameClass++;
    }
    reference.dispose();
    assert.ok(maxDiff < 1e-5, `max |fast - tfjs| = ${maxDiff}`);
    assert.equal(sameClass, texts.length);
  });
}

test('the SIMD kernels are assembled from kernels.wat and validate here', () => {
  const support = simdSupport();
  assert.ok('module' in support, 'reason' in support ? support.reason : '');
});

test('planFastPath refuses what it cannot compute exactly, naming why', async () => {
  const bundle = await readModelBundle(join(reutersModelBase, '1'), { name: 'reuters', version: 1 });
  const topo = bundle.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  const withConv = structuredClone(topo);
  withConv.config.layers.splice(1, 0, { class_name: 'BatchNormalization', config: { name: 'bn' } });
  assert.deepEqual(planFastPath({ ...bundle, modelTopology: withConv }), { ok: false, reason: 'layer bn is a BatchNormalization, not Dense' });
  const elu = structuredClone(topo);
  elu.config.layers[0]!.config['activation'] = 'elu';
  assert.deepEqual(planFastPath({ ...bundle, modelTopology: elu }), { ok: false, reason: 'layer dense has activation elu' });
  assert.equal(planFastPath({ ...bundle, modelTopology: { class_name: 'Model', config: {} } }).ok, false);
});
