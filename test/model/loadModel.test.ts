import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/log.js';
import { selectBackend } from '../../src/model/backend.js';
import { loadModel } from '../../src/model/loadModel.js';
import { writeTinyModel } from './tinyModel.js';

let base: string;
before(async () => {
  base = path.join(await mkdtemp(path.join(tmpdir(), 'mlserve-load-')), 'tiny');
  const { tf } = await selectBackend('auto');
  await writeTinyModel(tf, path.join(base, '1'));
  await writeTinyModel(tf, path.join(base, '2'));
  await mkdir(path.join(base, 'staging'));
});
after(() => rm(path.dirname(base), { recursive: true, force: true }));

function capture(): { log: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines };
}

describe('loadModel', () => {
  it('loads the highest version and logs what will be served', async () => {
    const { log, lines } = capture();
    const { bundle, loadMs } = await loadModel(base, log);
    assert.equal(bundle.name, 'tiny');
    assert.equal(bundle.version, 2);
    assert.ok(loadMs >= 0);
    const line = lines.find((l) => l.msg === 'model loaded');
    assert.equal(line?.version, 2);
    assert.equal(line?.outputWidth, 3);
  });

  it('with deep, also builds and runs the model', async () => {
    const { log, lines } = capture();
    await loadModel(base, log, { deep: true, backend: 'cpu' });
    assert.ok(lines.some((l) => l.msg === 'model built, checked and run once with tfjs' && l.backend === 'cpu'));
  });

  it('passes on ERR_MODEL_NOT_FOUND', async () => {
    await assert.rejects(loadModel(path.join(base, 'staging'), capture().log), { code: 'ERR_MODEL_NOT_FOUND' });
  });
});
