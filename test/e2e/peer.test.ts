// Cross-check against the seed's stack (../shared/peers/uwsgi-flask: uWSGI + Flask + numpy):
// given the same model directory, both must predict the same class with the same probability
// for real Reuters test texts. A mismatch means mlserve's tokenizer or model loading differs
// from Keras's (the peer reimplements both in numpy).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { peerMissing, startPeer, type RunningPeer } from '../../bench/peer.js';
import { resolveModelVersion } from '../../src/model/resolveModelVersion.js';
import { predictPath } from '../helpers/getText.js';
import { httpRequest } from '../helpers/http.js';
import { startMlserve, type RunningMlserve } from '../helpers/mlserve.js';
import { reutersModelBase } from '../helpers/paths.js';
import { reutersGetTexts } from '../helpers/reuters.js';

interface Prediction {
  prediction: string;
  label?: string;
  probability: number;
}

const TEXTS = 200;
const TOLERANCE = 1e-5;

describe('mlserve and the uWSGI + Flask peer agree', { skip: peerMissing() }, () => {
  let ml: RunningMlserve | undefined;
  let peer: RunningPeer | undefined;

  before(async () => {
    const model = await resolveModelVersion(reutersModelBase);
    ml = await startMlserve({ args: ['--workers', '2', '--model', reutersModelBase] });
    const served = ml.ready['model'] as { name?: string; version?: number } | undefined;
    assert.deepEqual([served?.name, served?.version], [model.name, model.version], 'mlserve serves the version the peer loads');
    peer = await startPeer({ modelDir: model.dir });
  });

  after(async () => {
    await peer?.stop();
    if (ml) assert.equal(await ml.stop(), 0);
  });

  it(`on ${TEXTS} Reuters test texts: same prediction and label, probability within ${TOLERANCE}`, async () => {
    const texts = reutersGetTexts(TEXTS);
    const mismatches: string[] = [];
    const classes = new Set<string>();
    for (const text of texts) {
      const path = predictPath(text);
      const [ours, theirs] = await Promise.all([
        httpRequest<Prediction>({ socketPath: ml!.socketPath, path }),
        httpRequest<Prediction>({ port: peer!.port, path }),
      ]);
      assert.equal(ours.status, 200, `mlserve: ${ours.body}`);
      assert.equal(theirs.status, 200, `peer: ${theirs.body}`);
      const a = ours.json!;
      const b = theirs.json!;
      classes.add(a.prediction);
      if (a.prediction !== b.prediction || a.label !== b.label || !(Math.abs(a.probability - b.probability) <= TOLERANCE)) {
        mismatches.push(`${JSON.stringify(text.slice(0, 60))}: mlserve ${JSON.stringify(a)} peer ${JSON.stringify(b)}`);
      }
    }
    assert.deepEqual(mismatches, [], `${mismatches.length} of ${texts.length} differ`);
    // Agreement on a constant answer would prove nothing: the texts span several classes.
    assert.ok(classes.size >= 3, `predicted classes: ${[...classes].join(', ')}`);
  });
});
