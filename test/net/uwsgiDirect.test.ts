// The uwsgi direct lane on a real node HTTP server and a real Unix socket: what the handler takes
// is answered with raw HTTP bytes and closed; what it declines (or cannot see whole) reaches the
// HTTP server exactly as before.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { speakProtocol } from '../../src/net/protocolSniffer.js';
import { rawHttpResponse } from '../../src/net/rawResponse.js';
import { UwsgiConnections, type UwsgiReply } from '../../src/net/uwsgiConnection.js';
import { encodeUwsgiPacket } from '../../src/net/uwsgiPacket.js';
import type { UwsgiHttpRequest } from '../../src/net/uwsgiRequest.js';
import { nginxVars, sendRaw, uwsgiRequest } from '../helpers/uwsgi.js';

const limits = { bufferSize: 8192, maxBodySize: 1024, timeoutMs: 2000, maxHeadBytes: 16384 };

describe('rawHttpResponse', () => {
  it('writes status, the given headers, a Date, connection: close and the UTF-8 length of the body', () => {
    const raw = rawHttpResponse(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'keep-alive' }, '{"é":1}');
    const [head, body] = raw.split('\r\n\r\n');
    const lines = head!.split('\r\n');
    assert.equal(lines[0], 'HTTP/1.1 503 Service Unavailable');
    assert.ok(lines.includes('content-type: application/json'));
    assert.ok(lines.includes('retry-after: 1'));
    assert.ok(lines.includes('connection: close'));
    assert.ok(!lines.includes('connection: keep-alive'));
    assert.ok(lines.includes('content-length: 8'), head);
    assert.match(head!, /\r\ndate: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n/);
    assert.equal(body, '{"é":1}');
  });
});

describe('the uwsgi direct lane', () => {
  let dir: string;
  let socketPath: string;
  let server: Server;
  let uwsgi: UwsgiConnections;
  const taken: UwsgiHttpRequest[] = [];
  // `/held` requests wait here until a test answers them.
  const held: UwsgiReply[] = [];
  let heldArrived: () => void = () => undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlserve-direct-'));
    socketPath = join(dir, 's.sock');
    server = createServer({ maxHeaderSize: limits.maxHeadBytes }, function echo(req, res) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ lane: 'http', url: req.url, host: req.headers.host }));
    });
    uwsgi = new UwsgiConnections(() => limits, createLogger({ level: 'silent' }));
    uwsgi.direct = function direct(request, reply) {
      if (request.target.startsWith('/throw')) throw new Error('handler bug');
      if (request.target.startsWith('/held')) {
        held.push(reply);
        heldArrived();
        return true;
      }
      if (!request.target.startsWith('/direct')) return false;
      taken.push(request);
      setImmediate(() => reply.send(200, { 'content-type': 'application/json' }, JSON.stringify({ lane: 'direct', url: request.target, text: 'café' })));
      return true;
    };
    speakProtocol(server, 'auto', uwsgi, 2000);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });
  after(async () => {
    server.closeAllConnections();
    uwsgi.closeAll();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers what the handler takes with raw HTTP and closes; the rest reaches the HTTP server', async () => {
    const direct = await uwsgiRequest({ socketPath, vars: nginxVars('GET', '/direct?text=a%20b', [['HTTP_X_REQUEST_ID', 'r1']]) });
    assert.equal(direct.status, 200, direct.raw);
    assert.equal(direct.headers['connection'], 'close');
    assert.equal(Number(direct.headers['content-length']), Buffer.byteLength(JSON.stringify({ lane: 'direct', url: '/direct?text=a%20b', text: 'café' })));
    assert.equal((direct.json as { lane: string }).lane, 'direct');
    assert.deepEqual(taken.at(-1)!.headers.find(([n]) => n === 'x-request-id'), ['x-request-id', 'r1']);
    const declined = await uwsgiRequest({ socketPath, vars: nginxVars('GET', '/other?x=1') });
    assert.deepEqual(declined.json, { lane: 'http', url: '/other?x=1', host: 'localhost' });
  });

  it('gives the HTTP server a request with bytes past its body, and one whose head passes maxHeaderSize', async () => {
    const before = taken.length;
    const junk = await sendRaw({ socketPath, chunks: [encodeUwsgiPacket(nginxVars('GET', '/direct?x=1')), Buffer.from('junk')] });
    assert.equal(junk.status, 200, junk.raw);
    assert.equal((junk.json as { lane: string }).lane, 'http');
    // 6000 bytes of QUERY_STRING that each become %XX: a 18 KB head, past the server's 16 KB.
    const wide = await uwsgiRequest({ socketPath, vars: [['REQUEST_METHOD', 'GET'], ['PATH_INFO', '/direct'], ['QUERY_STRING', '\xff'.repeat(6000)]] });
    assert.equal(wide.status, 431, wide.raw.slice(0, 200));
    assert.equal(taken.length, before, 'neither went to the direct handler');
  });

  it('answers a handler that throws with 500 ERR_INTERNAL, and keeps serving', async () => {
    const res = await uwsgiRequest({ socketPath, vars: nginxVars('GET', '/throw') });
    assert.equal(res.status, 500, res.raw);
    assert.equal((res.json as { error: { code: string } }).error.code, 'ERR_INTERNAL');
    const ok = await uwsgiRequest({ socketPath, vars: nginxVars('GET', '/direct?again') });
    assert.equal(ok.status, 200);
  });

  it('answers a client that half-closes after its whole request, then closes', { timeout: 5000 }, async () => {
    const arrived = new Promise<void>((resolve) => (heldArrived = resolve));
    const client = connect(socketPath);
    await once(client, 'connect');
    let got = '';
    client.on('data', (b: Buffer) => (got += b.toString('latin1')));
    client.write(encodeUwsgiPacket(nginxVars('GET', '/held')));
    await arrived;
    client.end(); // FIN after the request, as `nc -N` does: the answer must still come
    await new Promise((r) => setImmediate(r));
    held.shift()!.send(200, {}, 'late but answered');
    await once(client, 'close');
    assert.match(got, /^HTTP\/1\.[01] 200 [^]*\r\n\r\nlate but answered$/);
  });

  it('drops the answer of a client that is gone: no throw, the socket closed', { timeout: 5000 }, async () => {
    const arrived = new Promise<void>((resolve) => (heldArrived = resolve));
    const closed = new Promise((resolve) => server.once('connection', (s: Socket) => s.once('close', resolve)));
    const client = connect(socketPath);
    await once(client, 'connect');
    client.write(encodeUwsgiPacket(nginxVars('GET', '/held')));
    await arrived;
    client.destroy();
    held.shift()!.send(200, {}, 'late'); // no throw; the write fails or goes nowhere, and the socket closes
    await closed;
  });

  it('closeAll cuts connections waiting for a direct answer', { timeout: 5000 }, async () => {
    const arrived = new Promise<void>((resolve) => (heldArrived = resolve));
    const answer = uwsgiRequest({ socketPath, vars: nginxVars('GET', '/held') });
    await arrived;
    uwsgi.closeAll();
    assert.equal((await answer).status, 0, 'closed without an answer');
    held.shift()!.send(200, {}, 'late');
  });
});
