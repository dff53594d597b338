/**
 * Chain reload under load: a client at concurrency 16 for the whole reload, a new model version
 * dropped into the model directory, SIGHUP. No request may fail; afterwards /readyz shows the new
 * version. An invalid newer version is refused and the previous one keeps serving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { startMlserve } from '../helpers/mlserve.js';
import { httpRequest } from '../helpers/http.js';
import { reutersModelBase } from '../helpers/paths.js';

test('SIGHUP under load: chain reload to version 2 with zero failed requests; an invalid version 3 is refused', async () => {
  const base = mkdtempSync(join(tmpdir(), 'mlserve-reload-'));
  const models = join(base, 'reuters');
  cpSync(join(reutersModelBase, '1'), join(models, '1'), { recursive: true });
  const ml = await startMlserve({ args: ['--workers', '2', '--model', models] });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    const version = async () =>
      (await httpRequest<{ model: { version: number } }>({ socketPath: ml.socketPath, path: '/readyz' })).json!.model.version;
    assert.equal(await version(), 1);

    let loading = true;
    const statuses = new Map<string, number>();
    const count = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
    const client = async (i: number) => {
      for (let n = 0; loading; n++) {
        try {
          const r = await httpRequest({ socketPath: ml.socketPath, agent, path: `/predict?text=${encodeURIComponent(`grain exports ${i} ${n}`)}` });
          count(String(r.status));
        } catch (err) {
          count(`socket error: ${(err as Error).message}`);
        }
      }
    };
    const clients = Array.from({ length: 16 }, (_, i) => client(i));

    cpSync(join(reutersModelBase, '1'), join(models, '2'), { recursive: true });
    ml.child.kill('SIGHUP');
    await ml.waitForLine((l) => l.msg === 'reloaded', 60_000);
    assert.equal(await version(), 2);
    assert.ok(ml.lines.filter((l) => l.msg === 'worker 1 replaced (chain reload)' || l.msg === 'worker 2 replaced (chain reload)').length === 2);

    // Version 3 is broken (a label missing): refused before any worker is touched.
    cpSync(join(reutersModelBase, '1'), join(models, '3'), { recursive: true });
    writeFileSync(join(models, '3', 'labels.json'), '["only one"]');
    ml.child.kill('SIGHUP');
    const failed = await ml.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('reload failed'), 60_000);
    assert.equal((failed['err'] as { code?: string }).code, 'ERR_MODEL_INVALID', 'the error object is logged, with its code');
    assert.equal(await version(), 2);

    loading = false;
    await Promise.all(clients);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    assert.ok(total > 100, `only ${total} requests were made`);
    assert.deepEqual([...statuses.keys()], ['200'], JSON.stringify(Object.fromEntries(statuses)));
  } finally {
    agent.destroy();
    assert.equal(await ml.stop(), 0);
    rmSync(base, { recursive: true, force: true });
  }
});
