import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeUwsgiPacket, parseUwsgiPacket } from '../../src/net/uwsgiPacket.js';
import { uwsgiRequestHead } from '../../src/net/uwsgiRequest.js';

const vars: Array<[string, string]> = [
  ['REQUEST_METHOD', 'GET'],
  ['PATH_INFO', '/predict'],
  ['QUERY_STRING', 'text=oil%20prices'],
  ['HTTP_X_REQUEST_ID', 'abc'],
  ['EMPTY', ''],
];

test('a whole packet parses to its vars, in order, and the offset of the body', () => {
  const packet = Buffer.concat([encodeUwsgiPacket(vars), Buffer.from('BODY')]);
  const parsed = parseUwsgiPacket(packet, 4096);
  assert.equal(parsed.state, 'complete');
  if (parsed.state !== 'complete') return;
  assert.deepEqual(parsed.packet.vars, vars);
  assert.equal(packet.subarray(parsed.packet.bodyStart).toString(), 'BODY');
});

test('every strict prefix of a packet is incomplete, never an error', () => {
  const packet = encodeUwsgiPacket(vars);
  for (let n = 0; n < packet.length; n++) assert.equal(parseUwsgiPacket(packet.subarray(0, n), 4096).state, 'incomplete', `prefix ${n}`);
});

test('a vars block over buffer-size is refused from the header alone (uWSGI: invalid request block size)', () => {
  const header = Buffer.from([0, 0x01, 0x20, 0]); // datasize 8193
  const parsed = parseUwsgiPacket(header, 4096);
  assert.equal(parsed.state, 'too-large');
  if (parsed.state === 'too-large') assert.match(parsed.message, /invalid request block size: 8193 \(max 4096\)/);
});

test('lengths past the block, a null key and another modifier1 are malformed', () => {
  const block = (bytes: number[]): Buffer => Buffer.from([0, bytes.length & 0xff, bytes.length >> 8, 0, ...bytes]);
  const cases: Array<[Buffer, RegExp]> = [
    [block([5, 0, 65]), /key of 5 bytes runs past/],
    [block([1, 0, 65, 9, 0, 66]), /value of A \(9 bytes\) runs past/],
    [block([0, 0, 0, 0]), /key cannot be null/],
    [block([1]), /key length past/],
    [encodeUwsgiPacket(vars, { modifier1: 5 }), /modifier1 5 is not supported/],
  ];
  for (const [buf, message] of cases) {
    const parsed = parseUwsgiPacket(buf, 4096);
    assert.equal(parsed.state, 'malformed', buf.toString('hex'));
    if (parsed.state === 'malformed') assert.match(parsed.message, message);
  }
});

test('the vars become an HTTP/1.0 head that closes the connection', () => {
  const head = uwsgiRequestHead([...vars, ['CONTENT_TYPE', 'application/json'], ['CONTENT_LENGTH', '12'], ['HTTP_CONTENT_LENGTH', '99'], ['HTTP_CONNECTION', 'keep-alive']]);
  assert.ok(head.ok);
  if (!head.ok) return;
  assert.equal(head.contentLength, 12);
  assert.equal(
    head.head.toString('latin1'),
    'GET /predict?text=oil%20prices HTTP/1.0\r\ncontent-type: application/json\r\ncontent-length: 12\r\nhost: localhost\r\nx-request-id: abc\r\nconnection: close\r\n\r\n',
  );
});

// Regression: without HTTP_HOST every route but the GET /predict lane answered an empty 400
// (hono cannot build the request URL without a Host).
test('a missing HTTP_HOST becomes SERVER_NAME:SERVER_PORT, or localhost', () => {
  const hostOf = (v: Array<[string, string]>) => {
    const h = uwsgiRequestHead([['REQUEST_METHOD', 'GET'], ...v]);
    return h.ok ? /\r\nhost: ([^\r]*)\r\n/.exec(h.head.toString('latin1'))?.[1] : h.message;
  };
  assert.equal(hostOf([['SERVER_NAME', 'ml.example'], ['SERVER_PORT', '4444']]), 'ml.example:4444');
  assert.equal(hostOf([]), 'localhost');
  assert.equal(hostOf([['HTTP_HOST', 'a.b'], ['SERVER_NAME', 'x']]), 'a.b');
});

test('PATH_INFO comes decoded from nginx and is escaped again; REQUEST_URI is the fallback', () => {
  const head = (v: Array<[string, string]>) => {
    const h = uwsgiRequestHead([['REQUEST_METHOD', 'GET'], ...v]);
    return h.ok ? h.head.toString('latin1').split('\r\n')[0] : h.message;
  };
  assert.equal(head([['PATH_INFO', '/a b%/\xe9']]), 'GET /a%20b%25/%E9 HTTP/1.0');
  assert.equal(head([['REQUEST_URI', '/healthz?x=1']]), 'GET /healthz?x=1 HTTP/1.0');
  assert.equal(head([]), 'GET / HTTP/1.0');
});

// Regression guard: a CR or LF in a var would let a client write its own headers into the head.
test('control characters, bad methods and bad lengths are refused with a reason', () => {
  const refuse = (v: Array<[string, string]>, message: RegExp) => {
    const h = uwsgiRequestHead(v);
    assert.equal(h.ok, false, JSON.stringify(v));
    if (!h.ok) assert.match(h.message, message);
  };
  refuse([['PATH_INFO', '/']], /no REQUEST_METHOD/);
  refuse([['REQUEST_METHOD', 'GET /x']], /malformed REQUEST_METHOD/);
  refuse([['REQUEST_METHOD', 'POST'], ['CONTENT_LENGTH', '-1']], /malformed CONTENT_LENGTH/);
  refuse([['REQUEST_METHOD', 'GET'], ['HTTP_X', 'a\r\ncontent-length: 5']], /control character/);
  refuse([['REQUEST_METHOD', 'GET'], ['HTTP_A B', 'x']], /malformed header var/);
  refuse([['REQUEST_METHOD', 'GET'], ['PATH_INFO', 'predict']], /must start with \//);
});
