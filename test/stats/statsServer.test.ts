import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdtempSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';
import { buildStatsDocument } from '../../src/stats/buildStatsDocument.js';
import { startStatsServer } from '../../src/stats/statsServer.js';
import { readAll } from './readAll.js';
import { sampleInput } from './sampleInput.js';

const log = createLogger({ level: 'silent' });
const build = () => buildStatsDocument(sampleInput());

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-stats-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('Unix socket: the whole document on connect, without a request; mode 600; indented by default', async (t) => {
  const path = join(tempDir(t), 'stats.sock');
  const server = await startStatsServer({ address: path, build, log });
  t.after(() => server.close());
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const text = await readAll(path);
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(build())));
  assert.match(text, /^\{\n\t"version": "mlserve-0\.1\.0",\n/, 'tab-indented like uWSGI');
  // A client that sends something and shuts its side at once still gets the whole document.
  assert.deepEqual(JSON.parse(await readAll(path, 'hello', { halfClose: true })), JSON.parse(text));
});

test('minified: one line; chmod-stats mode applies', async (t) => {
  const path = join(tempDir(t), 'stats.sock');
  const server = await startStatsServer({ address: path, build, log, minified: true, mode: 0o660 });
  t.after(() => server.close());
  const text = await readAll(path);
  assert.equal(text, JSON.stringify(build()));
  assert.equal(statSync(path).mode & 0o777, 0o660);
});

test('stats-http: reads the request head, answers HTTP/1.0 with uWSGI\'s headers', async (t) => {
  const path = join(tempDir(t), 'stats.sock');
  const server = await startStatsServer({ address: path, build, log, http: true });
  t.after(() => server.close());
  // The head arrives in two pieces: nothing is answered before the blank line.
  const socket = connect(path);
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.write('GET / HTTP/1.1\r\nHost: stats\r\n');
  socket.write('Accept: */*\r\n\r\n');
  await once(socket, 'close');
  const text = Buffer.concat(chunks).toString('utf8');
  const [head, body] = [text.slice(0, text.indexOf('\r\n\r\n')), text.slice(text.indexOf('\r\n\r\n') + 4)];
  const lines = head.split('\r\n');
  assert.equal(lines[0], 'HTTP/1.0 200 OK');
  assert.ok(lines.includes('Content-Type: application/json'), head);
  assert.ok(lines.includes('Connection: close'), head);
  assert.ok(lines.includes(`Content-Length: ${Buffer.byteLength(body)}`), head);
  assert.deepEqual(JSON.parse(body), JSON.parse(JSON.stringify(build())));
});

test('stats-http answers curl-like clients through node:http too', async (t) => {
  const path = join(tempDir(t), 'stats.sock');
  const server = await startStatsServer({ address: path, build, log, http: true, minified: true });
  t.after(() => server.close());
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    request({ socketPath: path, path: '/' }, resolve).on('error', reject).end();
  });
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(Buffer.concat(chunks).toString('utf8'), JSON.stringify(build()));
});

test('vacuum removes the socket file on close; TCP on 127.0.0.1 port 0', async (t) => {
  const path = join(tempDir(t), 'sub', 'stats.sock');
  const unix = await startStatsServer({ address: path, build, log, vacuum: true });
  assert.ok(existsSync(path), 'the directory is created');
  await unix.close();
  assert.equal(existsSync(path), false);
  await unix.close(); // idempotent

  const tcp = await startStatsServer({ address: { host: '127.0.0.1', port: 0 }, build, log });
  t.after(() => tcp.close());
  assert.equal(typeof tcp.address, 'object');
  const port = (tcp.address as { port: number }).port;
  assert.ok(port > 0);
  assert.equal((JSON.parse(await readAll(tcp.address)) as { pid: number }).pid, 4242);
});

test('a stale socket file is replaced; a live one or a regular file is refused', async (t) => {
  const dir = tempDir(t);
  const stale = join(dir, 'stale.sock');
  // A crashed instance's socket file: Node unlinks its socket on close, so move the file
  // aside while the old server closes, then put it back.
  const old = createServer().listen(stale);
  await once(old, 'listening');
  renameSync(stale, `${stale}.keep`);
  old.close();
  renameSync(`${stale}.keep`, stale);
  const server = await startStatsServer({ address: stale, build, log });
  t.after(() => server.close());
  assert.equal((JSON.parse(await readAll(stale)) as { pid: number }).pid, 4242);

  await assert.rejects(startStatsServer({ address: stale, build, log }), { code: 'ERR_SOCKET_IN_USE' });
  const file = join(dir, 'file');
  writeFileSync(file, 'x');
  await assert.rejects(startStatsServer({ address: file, build, log }), { code: 'ERR_SOCKET' });
  unlinkSync(file);
});

test('a document that cannot be built closes the connection and is logged', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb(); } });
  const path = join(tempDir(t), 'stats.sock');
  const server = await startStatsServer({
    address: path,
    log: createLogger({ destination: sink }),
    build: () => {
      throw new Error('slot table gone');
    },
  });
  t.after(() => server.close());
  assert.equal(await readAll(path), '');
  assert.ok(lines.some((l) => /cannot build the document/.test(l) && /slot table gone/.test(l)), lines.join(''));
});

test('an async build is awaited; connections are answered concurrently', async (t) => {
  const path = join(tempDir(t), 'stats.sock');
  let calls = 0;
  const server = await startStatsServer({
    address: path,
    log,
    build: async () => {
      calls++;
      await Promise.resolve();
      return build();
    },
  });
  t.after(() => server.close());
  const texts = await Promise.all(Array.from({ length: 5 }, () => readAll(path)));
  assert.equal(calls, 5, 'one document per connection');
  for (const text of texts) assert.equal((JSON.parse(text) as { pid: number }).pid, 4242);
});
