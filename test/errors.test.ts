/**
 * The error table (src/errors.ts) against the docs and the code: every code documented in
 * docs/errors.md with its status, every code thrown somewhere in src/ (regression: ERR_NOT_READY
 * was in the type and thrown nowhere; several codes were in no doc).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS, MlserveError } from '../src/errors.js';
import { repoRoot } from './helpers/paths.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('every error code is in docs/errors.md with its status', () => {
  const doc = readFileSync(join(repoRoot, 'docs/errors.md'), 'utf8');
  for (const [code, row] of Object.entries(ERRORS)) {
    const line = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    assert.ok(line, `${code} is not in docs/errors.md`);
    assert.match(line, new RegExp(`\\| ${row.status} \\|`), `${code}: docs/errors.md gives another status than ${row.status}`);
  }
});

test('every error code is used by a throw site in src/ (not only declared)', () => {
  const src = sourceFiles(join(repoRoot, 'src'))
    .filter((f) => !f.endsWith(join('src', 'errors.ts')))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const unused = Object.keys(ERRORS).filter((code) => !src.includes(`'${code}'`));
  assert.deepEqual(unused, []);
});

test('status and headers come from the table; per-error headers add to them', () => {
  const full = new MlserveError('ERR_QUEUE_FULL', 'too many');
  assert.equal(full.status, 503);
  assert.deepEqual(full.headers, { 'retry-after': '1' });
  const allow = new MlserveError('ERR_METHOD_NOT_ALLOWED', 'no', { headers: { allow: 'GET' } });
  assert.equal(allow.status, 405);
  assert.deepEqual(allow.headers, { allow: 'GET' });
  const cause = new Error('inner');
  assert.equal(new MlserveError('ERR_INTERNAL', 'x', { cause }).cause, cause);
  assert.deepEqual(new MlserveError('ERR_TEXT_MISSING', 'gone').toJSON(), { error: { code: 'ERR_TEXT_MISSING', message: 'gone' } });
});
