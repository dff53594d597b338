// docs/migrating-from-uwsgi.md must cover every key a user of the classic stack writes: every
// key of the seed's uwsgi.ini, every uWSGI key mlserve ignores, every uWSGI-named option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ignoredUwsgiKeys } from '../../src/config/uwsgi-keys.js';
import { repoRoot, sharedDir } from '../helpers/paths.js';

const doc = readFileSync(join(repoRoot, 'docs', 'migrating-from-uwsgi.md'), 'utf8');

test('every key of the seed uwsgi.ini is in docs/migrating-from-uwsgi.md', () => {
  const ini = readFileSync(join(sharedDir, 'fixtures', 'seed', 'uwsgi.ini'), 'utf8');
  const keys = [...ini.matchAll(/^([a-z_-]+)\s*=/gm)].map((m) => m[1]!);
  assert.ok(keys.length > 15);
  for (const key of new Set(keys)) assert.ok(doc.includes(`\`${key}\``), `${key} is not in the migration doc`);
});

test('every ignored uWSGI key and every uWSGI drop-in option is in docs/migrating-from-uwsgi.md', () => {
  const implemented = ['socket', 'http-socket', 'uwsgi-socket', 'chown-socket', 'buffer-size', 'socket-timeout', 'uid', 'gid', 'chdir', 'env', 'touch-reload', 'touch-chain-reload', 'master-fifo', 'strict'];
  for (const key of [...Object.keys(ignoredUwsgiKeys), ...implemented]) assert.ok(doc.includes(`\`${key}\``), `${key} is not in the migration doc`);
});
