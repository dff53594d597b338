/**
 * Keras files are read in the master only (h5wasm, the zip reader, config normalisation); worker
 * threads receive the model as plain data and never read a model file. Pinned two ways: the
 * worker's import graph holds nothing of src/model/keras/ nor h5wasm, and a worker started after
 * the model's files are deleted serves Keras's predictions.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { readModelBundle } from '../../src/model/bundle.js';
import { Supervisor } from '../../src/master/supervisor.js';
import { Dispatcher } from '../../src/master/dispatcher.js';
import { createLogger } from '../../src/log.js';
import { repoRoot, sharedDir } from '../helpers/paths.js';
import { readNpy } from '../model/keras/npy.js';

/** The runtime imports (static and dynamic; `import type` left out) reachable from a source file. */
function importClosure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    const re = /^\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gm;
    for (const m of source.matchAll(re)) {
      if (m[1]) continue;
      const spec = (m[2] ?? m[3])!;
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const ts = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      assert.ok(existsSync(ts), `${relative(repoRoot, file)} imports ${spec}, which has no .ts source`);
      visit(ts);
    }
  };
  visit(entry);
  return { files, packages };
}

test("the worker's import graph holds no Keras file reader, no h5wasm and no bundle reader", () => {
  const { files, packages } = importClosure(join(repoRoot, 'src', 'worker', 'predictWorker.ts'));
  const rel = [...files].map((f) => relative(repoRoot, f));
  assert.ok(rel.includes('src/model/predictor.ts'), 'the closure is walked (it reaches the predictor)');
  assert.deepEqual(rel.filter((f) => f.startsWith('src/model/keras/') || f === 'src/model/bundle.ts'), []);
  assert.ok(!packages.has('h5wasm') && ![...packages].some((p) => p.startsWith('h5wasm/')), `packages: ${[...packages].join(', ')}`);
});

test('a worker started after the .keras file is deleted serves the bundle the master read (plain data)', { timeout: 60_000 }, async () => {
  const k3 = join(sharedDir, 'fixtures', 'keras3');
  const dir = await mkdtemp(join(tmpdir(), 'mlserve-plain-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'k3_embed_gap.keras');
  await copyFile(join(k3, 'k3_embed_gap.keras'), file);
  const bundle = await readModelBundle(dir, { name: 'k3_embed_gap', version: 1 }, file);
  await rm(dir, { recursive: true, force: true });
  await assert.rejects(readFile(file), { code: 'ENOENT' });
  const x = readNpy(join(k3, 'k3_embed_gap_x.npy'));
  const y = readNpy(join(k3, 'k3_embed_gap_y.npy'));
  const log = createLogger({ level: 'silent' });
  for (const fastPath of [true, false]) {
    const supervisor = new Supervisor({ size: 1, bundle, backend: 'wasm', fastPath, log });
    await supervisor.start(1);
    try {
      const result = await new Dispatcher({ supervisor, maxBatchSize: 32, listen: 64, log }).submit({ kind: 'tensor', rows: x.shape[0]!, values: Float32Array.from(x.data) }, { scores: true });
      assert.equal(result.scores?.length, y.data.length);
      result.scores!.forEach((p, i) => assert.ok(Math.abs(p - y.data[i]!) <= 1e-5, `${fastPath ? 'fast path' : 'tfjs'} value ${i}: ${p} vs ${y.data[i]}`));
    } finally {
      await supervisor.stop(2000);
    }
  }
});
