/**
 * Serving models other than today's bag-of-words MLP, end to end (mlserve spawned on a temp Unix
 * socket, real worker threads): a tensor-only model (no tokenizer.json, no preprocessing.json)
 * answers GET and POST /predict with a 400 naming the tensor API, and the same MLP declared with
 * a preprocessing.json answers what the tokenizer.json-only version answers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMlserve, type RunningMlserve } from '../helpers/mlserve.js';
import { httpRequest } from '../helpers/http.js';
import { reutersModelBase } from '../helpers/paths.js';

interface Answer {
  prediction?: string;
  label?: string;
  probability?: number;
  error?: { code: string; message: string };
}

async function modelBase(edit: (dir: string) => Promise<void>): Promise<string> {
  const base = await mkdtemp(join(tmpdir(), 'mlserve-kinds-'));
  await cp(join(reutersModelBase, '1'), join(base, '1'), { recursive: true });
  await edit(join(base, '1'));
  return base;
}

describe('model kinds over the Unix socket', () => {
  const servers: RunningMlserve[] = [];
  const bases: string[] = [];
  let tensorOnly: RunningMlserve;
  let declared: RunningMlserve;
  let plain: RunningMlserve;

  before(async () => {
    const a = await modelBase(async (d) => {
      await rm(join(d, 'tokenizer.json'));
    });
    const b = await modelBase(async (d) => {
      await writeFile(join(d, 'preprocessing.json'), JSON.stringify({ tokenizer: 'tokenizer.json', texts_to_matrix: { mode: 'binary' } }));
    });
    bases.push(a, b);
    [tensorOnly, declared, plain] = await Promise.all([
      startMlserve({ args: ['--workers', '1', '--model', a] }),
      startMlserve({ args: ['--workers', '1', '--model', b] }),
      startMlserve({ args: ['--workers', '1'] }),
    ]);
    servers.push(tensorOnly, declared, plain);
  });
  after(async () => {
    for (const s of servers) assert.equal(await s.stop(), 0);
    for (const b of bases) await rm(b, { recursive: true, force: true });
  });

  test('a tensor-only model answers GET and POST /predict with a 400 naming the tensor API', async () => {
    const get = await httpRequest<Answer>({ socketPath: tensorOnly.socketPath, path: '/predict?text=oil+prices' });
    assert.equal(get.status, 400, get.body);
    assert.equal(get.json?.error?.code, 'ERR_TEXT_UNSUPPORTED');
    assert.match(get.json!.error!.message, /tensor API/);
    const post = await httpRequest<Answer>({ socketPath: tensorOnly.socketPath, method: 'POST', path: '/predict', body: { texts: ['oil'] } });
    assert.equal(post.status, 400);
    assert.equal(post.json?.error?.code, 'ERR_TEXT_UNSUPPORTED');
    const ready = await httpRequest({ socketPath: tensorOnly.socketPath, path: '/readyz' });
    assert.equal(ready.status, 200, 'the server keeps serving');
  });

  test('preprocessing.json texts_to_matrix binary answers what tokenizer.json alone answers', async () => {
    for (const text of ['oil+prices+rose+as+opec+cut+output', 'wheat+exports+to+the+soviet+union', 'net+profit+per+share+rose']) {
      const [x, y] = await Promise.all([
        httpRequest<Answer>({ socketPath: declared.socketPath, path: `/predict?text=${text}` }),
        httpRequest<Answer>({ socketPath: plain.socketPath, path: `/predict?text=${text}` }),
      ]);
      assert.equal(x.status, 200);
      assert.equal(x.json?.label, y.json?.label);
      assert.ok(Math.abs(x.json!.probability! - y.json!.probability!) < 1e-5);
    }
  });
});
