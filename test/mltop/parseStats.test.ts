import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStats, repairJson } from '../../src/mltop/parseStats.js';
import { sharedDir } from '../helpers/paths.js';

test('valid JSON is parsed as is, the real uWSGI documents included', () => {
  for (const name of ['busy', 'after-load']) {
    const text = readFileSync(join(sharedDir, 'fixtures', 'uwsgi-stats', `uwsgi-2.0.21-${name}.json`), 'utf8');
    assert.deepEqual(parseStats(text), JSON.parse(text));
  }
  const valid = '{"a":"say \\"hi\\", ok","b":"C:\\\\dir\\\\","c":"\\u00e9\\n"}';
  assert.equal(repairJson(valid), valid, 'a valid document is not changed by the repair either');
});

test('uWSGI\'s unescaped strings are repaired: quotes, backslashes, control characters', () => {
  const cases: Array<[string, unknown]> = [
    ['{"cwd":"/srv/a"b","pid":1}', { cwd: '/srv/a"b', pid: 1 }],
    ['{"cwd":"C:\\dir\\","pid":1}', { cwd: 'C:\\dir\\', pid: 1 }],
    ['{"vars":["QUERY_STRING=a\\qb","UA=Mozilla "x" y"]}', { vars: ['QUERY_STRING=a\\qb', 'UA=Mozilla "x" y'] }],
    ['{"name":"tab\there\nnewline\u0001"}', { name: 'tab\there\nnewline\u0001' }],
    ['{"x":"\\u12"}', { x: '\\u12' }],
    ['{\n\t"version":"2.0.21",\n\t"cwd":"/a "quoted" dir"\n}', { version: '2.0.21', cwd: '/a "quoted" dir' }],
  ];
  for (const [text, want] of cases) {
    assert.throws(() => JSON.parse(text), SyntaxError, `${text} is really invalid`);
    assert.deepEqual(parseStats(text), want, text);
  }
});

test('what cannot be repaired is a SyntaxError that says so', () => {
  assert.throws(() => parseStats('{"workers": ['), { name: 'SyntaxError', message: /the stats document is not JSON/ });
  assert.throws(() => parseStats(''), SyntaxError);
});
