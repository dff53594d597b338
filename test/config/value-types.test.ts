import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatValue, parseValue } from '../../src/config/value-types.js';
import type { OptionSpec } from '../../src/config/schema.js';

const common = { default: 'x', help: '', reloadable: true } as const;
const spec = (s: Record<string, unknown>): OptionSpec => ({ ...common, ...s }) as OptionSpec;
const ok = (s: OptionSpec, raw: string, baseDir = '/base') => {
  const r = parseValue(s, raw, baseDir);
  assert.ok(r.ok, `${raw} should parse`);
  return r.value;
};
const bad = (s: OptionSpec, raw: string) => {
  const r = parseValue(s, raw, '/base');
  assert.ok(!r.ok, `${raw} should not parse`);
  return r.expected;
};

test('int: range and syntax', () => {
  const s = spec({ type: 'int', min: 1, max: 256 });
  assert.equal(ok(s, '1'), 1);
  assert.equal(ok(s, ' 256 '), 256);
  for (const raw of ['0', '257', 'two', '2.5', '', '1e2', '0x10']) assert.equal(bad(s, raw), 'an integer from 1 to 256');
  assert.equal(bad(spec({ type: 'int', min: 1 }), '0'), 'an integer of at least 1');
});

test('bool: true/false, 1/0, yes/no, on/off in any case', () => {
  const s = spec({ type: 'bool' });
  for (const raw of ['true', 'TRUE', '1', 'yes', 'On']) assert.equal(ok(s, raw), true);
  for (const raw of ['false', '0', 'No', 'OFF']) assert.equal(ok(s, raw), false);
  for (const raw of ['', 'y', '2']) assert.match(bad(s, raw), /^a boolean/);
});

test('enum: one of the values, case-insensitive, canonical spelling returned', () => {
  const s = spec({ type: 'enum', values: ['auto', 'wasm'] });
  assert.equal(ok(s, 'WASM'), 'wasm');
  assert.equal(bad(s, 'gpu'), 'one of auto, wasm');
});

test('string: anything, also empty', () => {
  const s = spec({ type: 'string' });
  assert.equal(ok(s, 'a b'), 'a b');
  assert.equal(ok(s, ''), '');
});

test('path: resolved against the base directory; absolute stays', () => {
  const s = spec({ type: 'path' });
  assert.equal(ok(s, 'run/x.sock', '/srv/config'), '/srv/config/run/x.sock');
  assert.equal(ok(s, '../run/x.sock', '/srv/config'), '/srv/run/x.sock');
  assert.equal(ok(s, '/tmp/x.sock', '/srv/config'), '/tmp/x.sock');
  assert.equal(bad(s, ''), 'a file system path');
});

test('size: bytes and k/M/G as powers of 1024', () => {
  const s = spec({ type: 'size', min: 1 });
  assert.equal(ok(s, '1048576'), 1048576);
  assert.equal(ok(s, '512k'), 512 * 1024);
  assert.equal(ok(s, '512K'), 512 * 1024);
  assert.equal(ok(s, '1M'), 1024 ** 2);
  assert.equal(ok(s, '2g'), 2 * 1024 ** 3);
  for (const raw of ['0', '1.5M', '1MB', '-1', 'k', '']) assert.match(bad(s, raw), /^a size in bytes of at least 1/);
});

test('mode: octal with or without the leading zero', () => {
  const s = spec({ type: 'mode' });
  assert.equal(ok(s, '660'), 0o660);
  assert.equal(ok(s, '0660'), 0o660);
  assert.equal(ok(s, '666'), 0o666);
  for (const raw of ['680', '66', 'rw-rw----', '0o660']) assert.match(bad(s, raw), /^an octal file mode/);
  assert.equal(formatValue(s, 0o660), '0660');
});

test('address: host:port, :port (127.0.0.1), [v6]:port; port 1-65535', () => {
  const s = spec({ type: 'address' });
  assert.deepEqual(ok(s, '127.0.0.1:8000'), { host: '127.0.0.1', port: 8000 });
  assert.deepEqual(ok(s, ':8000'), { host: '127.0.0.1', port: 8000 });
  assert.deepEqual(ok(s, '0.0.0.0:80'), { host: '0.0.0.0', port: 80 });
  assert.deepEqual(ok(s, 'localhost:65535'), { host: 'localhost', port: 65535 });
  assert.deepEqual(ok(s, '[::1]:8000'), { host: '::1', port: 8000 });
  for (const raw of ['8000', ':0', ':65536', 'host:', '::1:8000', 'a b:80', ':80x']) {
    assert.match(bad(s, raw), /^HOST:PORT or :PORT with a port from 1 to 65535/, raw);
  }
  assert.equal(formatValue(s, { host: '::1', port: 8000 }), '[::1]:8000');
});

test('seconds: non-negative numbers, fractions allowed', () => {
  const s = spec({ type: 'seconds' });
  assert.equal(ok(s, '30'), 30);
  assert.equal(ok(s, '0'), 0);
  assert.equal(ok(s, '2.5'), 2.5);
  assert.equal(ok(s, '.5'), 0.5);
  for (const raw of ['-1', '1s', '', 'Infinity']) assert.equal(bad(s, raw), 'a non-negative number of seconds');
});

test('an empty value switches off an option whose default is null, and only such an option', () => {
  assert.equal(ok(spec({ type: 'address', default: null }), ''), null);
  assert.equal(ok(spec({ type: 'address', default: null }), '  '), null);
  assert.match(bad(spec({ type: 'address' }), ''), /^HOST:PORT/);
});
