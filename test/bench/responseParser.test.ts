import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseParser } from '../../bench/responseParser.js';

const ok = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"bcd"}';

test('responses with Content-Length, whole, pipelined and split at every byte', () => {
  const parser = new ResponseParser();
  assert.deepEqual(parser.feed(Buffer.from(ok)), [{ status: 200, close: false }]);
  assert.ok(parser.idle);
  const two = Buffer.from(ok + ok.replace('200 OK', '503 Service Unavailable'));
  assert.deepEqual(parser.feed(two).map((r) => r.status), [200, 503]);

  const split = new ResponseParser();
  const statuses: number[] = [];
  for (const byte of Buffer.from(ok + ok)) statuses.push(...split.feed(Buffer.from([byte])).map((r) => r.status));
  assert.deepEqual(statuses, [200, 200]);
  assert.ok(split.idle);
});

test('chunked bodies, with extensions and trailers, split anywhere', () => {
  const chunked =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + '5;ext=1\r\nhello\r\n' + 'A\r\n0123456789\r\n' + '0\r\nX-Trailer: 1\r\n\r\n';
  const text = chunked + ok;
  for (let cut = 1; cut < text.length; cut++) {
    const parser = new ResponseParser();
    const got = [...parser.feed(Buffer.from(text.slice(0, cut))), ...parser.feed(Buffer.from(text.slice(cut)))];
    assert.deepEqual(got.map((r) => r.status), [200, 200], `cut at ${cut}`);
    assert.ok(parser.idle);
  }
});

test('statuses without a body: 204, 304, and 1xx before the final response', () => {
  const parser = new ResponseParser();
  const text = 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n' + ok + 'HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n';
  assert.deepEqual(parser.feed(Buffer.from(text)).map((r) => r.status), [204, 200, 304]);
});

test('Connection: close (nginx after keepalive_requests) and HTTP/1.0 are flagged', () => {
  const parser = new ResponseParser();
  const closing = ok.replace('Content-Length', 'Connection: close\r\nContent-Length');
  assert.deepEqual(parser.feed(Buffer.from(closing)), [{ status: 200, close: true }]);
  assert.deepEqual(parser.feed(Buffer.from(ok.replace('HTTP/1.1', 'HTTP/1.0'))), [{ status: 200, close: true }]);
  const kept = ok.replace('HTTP/1.1', 'HTTP/1.0').replace('Content-Length', 'Connection: keep-alive\r\nContent-Length');
  assert.deepEqual(parser.feed(Buffer.from(kept)), [{ status: 200, close: false }]);
});

test('what it cannot delimit is an error, not a silent miscount', () => {
  assert.throws(() => new ResponseParser().feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\nbody')), /neither Content-Length nor chunked/);
  assert.throws(() => new ResponseParser().feed(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')), /not an HTTP\/1.x status line/);
  assert.throws(() => new ResponseParser().feed(Buffer.alloc(70 * 1024, 'a')), /longer than/);
});
