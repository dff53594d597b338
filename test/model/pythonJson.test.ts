import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlatJsonObject, pythonJsonDumps } from '../../src/model/pythonJson.js';
import { python } from './python.js';

describe('pythonJsonDumps', () => {
  it('writes Python json.dumps separators and literals', () => {
    assert.equal(pythonJsonDumps({ a: [1, 2], b: null, c: true, d: false }), '{"a": [1, 2], "b": null, "c": true, "d": false}');
  });

  it('keeps Map insertion order, integer-like keys included, and writes number keys as strings', () => {
    assert.equal(pythonJsonDumps(new Map<string | number, number>([['b', 1], ['1987', 2], [3, 4]])), '{"b": 1, "1987": 2, "3": 4}');
  });

  it('escapes like ensure_ascii=True (lower-case hex, surrogate pairs, DEL)', () => {
    assert.equal(pythonJsonDumps('é"\\\n\r\t\b\f\u0001\u007f😀/'), '"\\u00e9\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u007f\\ud83d\\ude00/"');
  });

  it('writes floats as Python repr does', () => {
    assert.equal(pythonJsonDumps([0.5, 1e-5, 1.5e-7, 0.0001, -2.25]), '[0.5, 1e-05, 1.5e-07, 0.0001, -2.25]');
  });

  it('matches python3 json.dumps on awkward strings', { skip: python() === null && 'python3 not found' }, () => {
    const value = { 'naïve': 'x\u2028y', '\u00a0': ['😀', '\u0000', "it's"], '10': 1 };
    const expected = python(
      'import json,sys; print(json.dumps(json.loads(sys.stdin.read()), ensure_ascii=True), end="")',
      JSON.stringify(value),
    );
    // JSON.stringify moved "10" first, as Python reads it too: both sides see the same order.
    assert.equal(pythonJsonDumps(JSON.parse(JSON.stringify(value))), expected);
  });
});

describe('parseFlatJsonObject', () => {
  it('keeps the text order, integer-like keys included', () => {
    assert.deepEqual([...parseFlatJsonObject('{"b": 1, "1987": 2, "a\\u00e9": "x", "n": null}')], [
      ['b', 1], ['1987', 2], ['aé', 'x'], ['n', null],
    ]);
  });

  it('reads an empty object and rejects nested or malformed ones', () => {
    assert.equal(parseFlatJsonObject(' {} ').size, 0);
    assert.throws(() => parseFlatJsonObject('{"a": {"b": 1}}'), SyntaxError);
    assert.throws(() => parseFlatJsonObject('{"a": 1,}'), SyntaxError);
    assert.throws(() => parseFlatJsonObject('{"a": 1} x'), SyntaxError);
    assert.throws(() => parseFlatJsonObject('[1]'), SyntaxError);
  });
});
