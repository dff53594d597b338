// The classic stack's own files (../shared/fixtures/seed, read in place, unchanged) served by
// mlserve: its uwsgi.ini, and its nginx site speaking the uwsgi protocol (uwsgi_pass) to the
// same socket the repo's nginx/mlserve.conf reaches with proxy_pass.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { httpRequest } from '../helpers/http.js';
import { startMlserve, type RunningMlserve } from '../helpers/mlserve.js';
import { nginxMissing, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { mlserveBin, repoRoot, reutersModelBase, sharedDir } from '../helpers/paths.js';
import { FUZZ_STATUSES, fuzzedPackets, nginxVars, sendRaw, uwsgiRequest } from '../helpers/uwsgi.js';
import { encodeUwsgiPacket } from '../../src/net/uwsgiPacket.js';

const seed = join(sharedDir, 'fixtures', 'seed');
const seedIni = join(seed, 'uwsgi.ini');
const run = promisify(execFile);

// The ini's own checks run anywhere; those through nginx skip, saying why, where it is missing.
const noNginx = nginxMissing();

describe('the seed uwsgi.ini, read in place', () => {
  let folder: string;
  let ml: RunningMlserve | undefined;
  let site: RunningNginx | undefined;
  let socketPath: string;
  let statsPath: string;
  const args = (): string[] => ['--set-ph', `my_app_folder=${folder}`, '--set-ph', `my_user=${userInfo().username}`, '--model', reutersModelBase];

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'mlserve-seed-'));
    socketPath = join(folder, 'production_ml.sock');
    statsPath = join(folder, 'stats.production_ml.sock');
    ml = await startMlserve({ config: seedIni, socketFlag: false, socketPath, args: args(), readyTimeoutMs: 90_000 });
    // The seed's site, with only its socket path and port substituted.
    if (!noNginx) site = await startNginx({ siteConf: join(seed, 'nginx-site.conf'), socketPath });
  });

  after(async () => {
    await site?.stop();
    if (ml && ml.child.exitCode === null) await ml.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('prints where each value came from and why the Python keys are ignored', async () => {
    const { stdout } = await run(process.execPath, [mlserveBin, '--config', seedIni, ...args(), '--print-config'], { cwd: repoRoot });
    assert.match(stdout, /; socket from file .*uwsgi\.ini:6\nsocket = .*production_ml\.sock\n/);
    assert.match(stdout, /; workers from file .*uwsgi\.ini:45\nworkers = 50\n/);
    assert.match(stdout, /; model from flag --model\n/);
    assert.match(stdout, /cheaper-step = 3\n/);
    assert.match(stdout, /uwsgi\.ini:8: file: ignored: mlserve serves the model/);
    assert.match(stdout, /uwsgi\.ini:3: my_app_folder = /);
  });

  // Issue 13 item 5: `--check -v` is the other spelling uWSGI users reach for.
  it('--check -v: the check\'s report, then the same effective config, sources and ignored keys as --print-config', async () => {
    const [checked, printed] = await Promise.all([
      run(process.execPath, [mlserveBin, '--config', seedIni, ...args(), '--check', '-v'], { cwd: repoRoot, timeout: 60_000 }),
      run(process.execPath, [mlserveBin, '--config', seedIni, ...args(), '--print-config'], { cwd: repoRoot, timeout: 60_000 }),
    ]);
    const report = checked.stdout.indexOf('mlserve: config ');
    const header = checked.stdout.indexOf('; mlserve --check -v: the effective configuration read from ');
    assert.ok(report >= 0 && header > report, `the check's report first, then the config:\n${checked.stdout}`);
    assert.match(checked.stdout, /mlserve: config .*uwsgi\.ini ok; model reuters v1 ok/);
    const config = checked.stdout.slice(header);
    assert.match(config, /; socket from file .*uwsgi\.ini:6\nsocket = .*production_ml\.sock\n/);
    assert.match(config, /uwsgi\.ini:32: die-on-term: ignored: /);
    // Everything after the header line is --print-config's text, byte for byte.
    const body = (text: string): string => text.slice(text.indexOf('\n') + 1);
    assert.equal(body(config), body(printed.stdout));
  });

  it('listens on the placeholder socket (mode 666), starts 5 workers of 50 slots, writes the stats socket', async () => {
    assert.equal(ml!.ready['socket'], socketPath);
    assert.equal(statSync(socketPath).mode & 0o777, 0o666);
    assert.equal(ml!.ready['workers'], 5);
    assert.equal(ml!.ready['slots'], 50);
    const starting = await ml!.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('starting 5 workers'));
    assert.equal(starting['cheaper'], 5);
    assert.equal(starting['algo'], 'spare');
    assert.ok(statSync(statsPath).isSocket(), 'stats socket');
  });

  it("applies the seed's chdir and its three env lines before any worker starts", async () => {
    assert.equal(readlinkSync(`/proc/${ml!.pid}/cwd`), realpathSync(folder));
    const envLine = ml!.lines.findIndex((l) => l.msg === 'environment set (env)');
    const starting = ml!.lines.findIndex((l) => typeof l.msg === 'string' && l.msg.startsWith('starting 5 workers'));
    assert.ok(envLine >= 0 && starting > envLine, `env set at line ${envLine}, workers started at line ${starting}`);
    assert.deepEqual(ml!.lines[envLine]!['env'], ['CUDA_VISIBLE_DEVICES', 'KERAS_BACKEND', 'PYTHONPATH']);
  });

  it('answers GET /predict through the seed nginx site (uwsgi_pass) with a prediction', { skip: noNginx }, async () => {
    const res = await httpRequest<{ prediction: string; label: string }>({ port: site!.port, path: `/predict?text=${encodeURIComponent('oil prices rose as opec cut output')}` });
    assert.equal(res.status, 200, res.body);
    assert.match(res.json!.prediction, /^\d+$/);
    assert.ok(res.json!.label.length > 0);
  });

  it("runs the seed's curl-load.sh (host substituted): 11 answers with a prediction", { skip: noNginx }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlserve-curl-'));
    try {
      const script = readFileSync(join(seed, 'curl-load.sh'), 'utf8').replace('YOUR_SERVER_NAME_OR_IP:4444', `127.0.0.1:${site!.port}`);
      writeFileSync(join(dir, 'curl-load.sh'), script.replace('curl $url -s &', 'curl $url -s -o /dev/null -w "%{http_code}\\n" &'));
      const { stdout } = await run('bash', [join(dir, 'curl-load.sh')], { timeout: 60_000 });
      const codes = stdout.split('\n').filter((l) => /^\d{3}$/.test(l));
      assert.deepEqual(codes, Array(11).fill('200'));
      // And the unchanged script's bodies: 11 predictions.
      writeFileSync(join(dir, 'plain.sh'), script);
      const plain = await run('bash', [join(dir, 'plain.sh')], { timeout: 60_000 });
      assert.equal(plain.stdout.match(/"prediction":"\d+"/g)?.length, 11, plain.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers POST /predict through uwsgi_pass, and its errors are the same JSON', { skip: noNginx }, async () => {
    const texts = ['net profit rose to 12 mln dlrs', 'wheat exports to the soviet union'];
    const res = await httpRequest<{ predictions: unknown[] }>({ port: site!.port, method: 'POST', path: '/predict', body: { texts } });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json!.predictions.length, 2);
    const missing = await httpRequest<{ error: { code: string } }>({ port: site!.port, path: '/predict' });
    assert.equal(missing.status, 400);
    assert.equal(missing.json?.error.code, 'ERR_TEXT_MISSING');
    const notFound = await httpRequest<{ error: { code: string } }>({ port: site!.port, path: '/nope' });
    assert.equal(notFound.status, 404);
    assert.equal(notFound.json?.error.code, 'ERR_NOT_FOUND');
  });

  it("still serves nginx/mlserve.conf's proxy_pass (HTTP) on the same socket", { skip: noNginx }, async () => {
    const proxy = await startNginx({ siteConf: join(repoRoot, 'nginx', 'mlserve.conf'), socketPath });
    try {
      const res = await httpRequest<{ prediction: string }>({ port: proxy.port, path: '/predict?text=oil' });
      assert.equal(res.status, 200, res.body);
      assert.match(res.json!.prediction, /^\d+$/);
    } finally {
      await proxy.stop();
    }
  });

  it('survives fuzzed uwsgi framing on the raw socket and large headers and bodies through nginx', { skip: noNginx }, async () => {
    const raw = fuzzedPackets(encodeUwsgiPacket(nginxVars('GET', '/predict?text=oil')), 40, 1313);
    const big = 'x'.repeat(7000);
    const viaNginx = [
      // Headers past buffer-size (4096, the seed's default): mlserve answers 431 with its JSON.
      httpRequest({ port: site!.port, path: '/predict?text=oil', headers: { 'x-a': big, 'x-b': big, 'x-c': big } }),
      httpRequest({ port: site!.port, path: '/predict?text=oil', headers: { 'x-a': big.slice(0, 3000) } }),
      // A body near max-body-size, and one past nginx's client_max_body_size (1m).
      httpRequest({ port: site!.port, method: 'POST', path: '/predict', body: { texts: Array(200).fill('oil '.repeat(1000)) } }),
      httpRequest({ port: site!.port, method: 'POST', path: '/predict', body: { texts: ['a'.repeat(2_000_000)] } }),
    ];
    const [answers, proxied] = await Promise.all([Promise.all(raw.map((chunks) => sendRaw({ socketPath, chunks, timeoutMs: 8000 }))), Promise.all(viaNginx)]);
    for (const a of answers) assert.ok(FUZZ_STATUSES.includes(a.status), a.raw.slice(0, 200));
    assert.equal(proxied[0]!.status, 431, proxied[0]!.body);
    assert.equal((proxied[0]!.json as { error: { code: string } }).error.code, 'ERR_UWSGI_VARS_TOO_LARGE');
    assert.equal(proxied[1]!.status, 200, proxied[1]!.body);
    assert.ok([200, 400, 413].includes(proxied[2]!.status), proxied[2]!.body.slice(0, 200));
    assert.equal(proxied[3]!.status, 413);
    // A uwsgi body past max-body-size (1 MiB) straight on the socket: refused from CONTENT_LENGTH, not buffered.
    const huge = await uwsgiRequest({ socketPath, vars: nginxVars('POST', '/predict', [['CONTENT_TYPE', 'application/json'], ['CONTENT_LENGTH', '2000000']]), body: Buffer.alloc(2_000_000, 0x61) });
    assert.equal(huge.status, 413, huge.raw.slice(0, 300));
    assert.equal((huge.json as { error: { code: string } }).error.code, 'ERR_BODY_TOO_LARGE');
    // Still serving, on both protocols.
    const ok = await uwsgiRequest({ socketPath, vars: nginxVars('GET', '/predict?text=wheat') });
    assert.equal(ok.status, 200, ok.raw);
    const viaSite = await httpRequest({ port: site!.port, path: '/healthz' });
    assert.equal(viaSite.status, 200);
  });

  it('removes the socket and the stats socket on SIGTERM (vacuum)', async () => {
    await site?.stop();
    site = undefined;
    assert.equal(await ml!.stop('SIGTERM'), 0);
    assert.equal(existsSync(socketPath), false, 'socket removed');
    assert.equal(existsSync(statsPath), false, 'stats socket removed');
  });
});
