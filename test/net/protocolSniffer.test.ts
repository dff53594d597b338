// One real node HTTP server on a real Unix socket, speaking HTTP and uwsgi on the same socket.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Agent, type Server } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { speakProtocol, sniffProtocol } from '../../src/net/protocolSniffer.js';
import { UwsgiConnections } from '../../src/net/uwsgiConnection.js';
import { encodeUwsgiPacket } from '../../src/net/uwsgiPacket.js';
import { httpRequest } from '../helpers/http.js';
import { FUZZ_STATUSES, fuzzedPackets, nginxVars, parseRawAnswer, sendRaw, uwsgiRequest } from '../helpers/uwsgi.js';

const limits = { bufferSize: 4096, maxBodySize: 1024, timeoutMs: 300 };

function echoServer(protocol: 'auto' | 'http' | 'uwsgi'): Server {
  const server = createServer({ maxHeaderSize: 16384 }, function echo(req, res) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString(), version: req.httpVersion }));
    });
  });
  speakProtocol(server, protocol, new UwsgiConnections(() => limits, createLogger({ level: 'silent' })), 2000);
  return server;
}

describe('sniffProtocol', () => {
  it('tells HTTP (a method letter) from uwsgi (modifier1) by the first byte', () => {
    assert.equal(sniffProtocol('G'.charCodeAt(0)), 'http');
    assert.equal(sniffProtocol('P'.charCodeAt(0)), 'http');
    assert.equal(sniffProtocol(0), 'uwsgi');
    assert.equal(sniffProtocol(0xff), 'uwsgi');
  });
});

describe('HTTP and uwsgi on one socket', () => {
  let dir: string;
  let socketPath: string;
  let server: Server;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlserve-sniff-'));
    socketPath = join(dir, 's.sock');
    server = echoServer('auto');
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTP with keep-alive as before', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const a = await httpRequest<{ url: string }>({ socketPath, path: '/a?x=1', agent });
    const b = await httpRequest<{ url: string }>({ socketPath, path: '/b', agent });
    assert.equal(a.json?.url, '/a?x=1');
    assert.equal(b.json?.url, '/b');
    assert.notEqual(a.headers.connection, 'close');
    agent.destroy();
  });

  // Regression: http.Server sockets are half-open, so one that hung up before its first byte
  // stayed open and server.close() (SIGTERM) waited for it forever.
  it('closes a connection that hangs up before sending a byte', { timeout: 5000 }, async () => {
    const closed = new Promise((resolve) => server.once('connection', (s: import('node:net').Socket) => s.once('close', resolve)));
    const client = connect(socketPath);
    await once(client, 'connect');
    const t0 = Date.now();
    client.destroy();
    await closed;
    // Closed on its hang-up, not by the 2 s sniff timeout.
    assert.ok(Date.now() - t0 < 1000, `closed after ${Date.now() - t0} ms`);
  });

  it('answers a uwsgi GET with a raw HTTP response and closes the connection', async () => {
    const res = await uwsgiRequest({ socketPath, vars: nginxVars('GET', '/predict?text=oil%20prices', [['HTTP_X_REQUEST_ID', 'r1']]) });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.headers['connection'], 'close');
    const echo = res.json as { method: string; url: string; headers: Record<string, string>; version: string };
    assert.equal(echo.method, 'GET');
    assert.equal(echo.url, '/predict?text=oil%20prices');
    assert.equal(echo.headers['x-request-id'], 'r1');
    assert.equal(echo.headers['host'], 'localhost');
  });

  it('reads a uwsgi body of CONTENT_LENGTH bytes, sent in pieces', async () => {
    const body = Buffer.from('{"texts":["a","b"]}');
    const packet = encodeUwsgiPacket(nginxVars('POST', '/predict', [['CONTENT_TYPE', 'application/json'], ['CONTENT_LENGTH', String(body.length)]]));
    const all = Buffer.concat([packet, body]);
    const chunks = [all.subarray(0, 1), all.subarray(1, 3), all.subarray(3, 30), all.subarray(30)];
    const res = await sendRaw({ socketPath, chunks });
    assert.equal(res.status, 200, res.raw);
    const echo = res.json as { method: string; body: string; headers: Record<string, string> };
    assert.equal(echo.method, 'POST');
    assert.equal(echo.body, body.toString());
    assert.equal(echo.headers['content-type'], 'application/json');
  });

  it('answers 431 for a vars block over buffer-size, 400 for a malformed one, 408 for a slow sender', async () => {
    const big = await uwsgiRequest({ socketPath, vars: nginxVars('GET', '/', [['HTTP_X_BIG', 'x'.repeat(5000)]]) });
    assert.equal(big.status, 431, big.raw);
    assert.equal((big.json as { error: { code: string } }).error.code, 'ERR_UWSGI_VARS_TOO_LARGE');
    const bad = await sendRaw({ socketPath, chunks: [Buffer.from([0, 4, 0, 0, 9, 0, 65, 65])] });
    assert.equal(bad.status, 400, bad.raw);
    assert.equal((bad.json as { error: { code: string } }).error.code, 'ERR_UWSGI_PACKET');
    const t0 = Date.now();
    // A body shorter than CONTENT_LENGTH, and then nothing.
    const slow = await uwsgiRequest({ socketPath, vars: nginxVars('POST', '/p', [['CONTENT_LENGTH', '100']]), body: Buffer.from('short') });
    assert.equal(slow.status, 408, slow.raw);
    assert.equal((slow.json as { error: { code: string } }).error.code, 'ERR_REQUEST_TIMEOUT');
    assert.ok(Date.now() - t0 < 2000, `answered within socket-timeout, took ${Date.now() - t0} ms`);
  });

  // Issue 13 item 1: a short header, a datasize past the bytes sent and a slow sender are answered
  // within socket-timeout (300 ms here). The slow sender trickles a valid packet one byte every
  // 20 ms, so it is never idle: only a deadline for the whole packet (uWSGI's socket-timeout
  // for the request) bounds it, not an idle timer.
  it('bounds a short header, a datasize past the bytes sent and a trickling sender by socket-timeout (408)', async () => {
    const packet = Buffer.concat([encodeUwsgiPacket(nginxVars('POST', '/p', [['CONTENT_LENGTH', '64']])), Buffer.alloc(64, 0x61)]);
    const trickle = new Promise<{ status: number; ms: number }>((resolve) => {
      const t0 = Date.now();
      const socket = connect(socketPath);
      let sent = 0;
      let answer = '';
      const timer = setInterval(() => {
        if (sent < packet.length) socket.write(packet.subarray(sent, ++sent));
      }, 20);
      socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ status: parseRawAnswer(answer).status, ms: Date.now() - t0 });
      });
    });
    const t0 = Date.now();
    const [short, pastBytes, slow] = await Promise.all([
      sendRaw({ socketPath, chunks: [Buffer.from([0, 0x40])], timeoutMs: 3000 }),
      sendRaw({ socketPath, chunks: [Buffer.from([0, 100, 0, 0, 5, 0, 65, 65])], timeoutMs: 3000 }),
      trickle,
    ]);
    for (const a of [short, pastBytes]) {
      assert.equal(a.status, 408, a.raw);
      assert.equal((a.json as { error: { code: string } }).error.code, 'ERR_REQUEST_TIMEOUT');
    }
    assert.equal(slow.status, 408);
    assert.ok(slow.ms < 1500, `the trickling sender was cut after ${slow.ms} ms (its packet would take ${packet.length * 20} ms)`);
    assert.ok(Date.now() - t0 < 2000, `all three answered within ${Date.now() - t0} ms`);
    // Meanwhile and after, others are served.
    assert.equal((await uwsgiRequest({ socketPath, vars: nginxVars('GET', '/after') })).status, 200);
  });

  it('keeps serving both protocols through random, truncated and junk-tailed packets', async () => {
    const cases = fuzzedPackets(encodeUwsgiPacket(nginxVars('GET', '/ok?x=1')), 60, 13);
    const answers = await Promise.all(cases.map((chunks) => sendRaw({ socketPath, chunks, timeoutMs: 5000 })));
    for (const a of answers) assert.ok(FUZZ_STATUSES.includes(a.status), `unexpected answer ${a.raw.slice(0, 200)}`);
    const ok = await uwsgiRequest({ socketPath, vars: nginxVars('GET', '/still') });
    assert.equal(ok.status, 200);
    const http = await httpRequest({ socketPath, path: '/still' });
    assert.equal(http.status, 200);
  });
});

describe('a uwsgi-only listener', () => {
  it('treats every connection as uwsgi, and an HTTP request as a malformed packet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlserve-uwsgi-'));
    const socketPath = join(dir, 'u.sock');
    const server = echoServer('uwsgi');
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const ok = await uwsgiRequest({ socketPath, vars: nginxVars('GET', '/u') });
      assert.equal(ok.status, 200);
      const http = await sendRaw({ socketPath, chunks: [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')] });
      assert.notEqual(http.status, 200, http.raw);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
