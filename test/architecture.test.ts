/**
 * Folders import only downward (docs/architecture.md, "Folders"). Regression: http imported
 * master (RequestResult), stats imported master (SlotSnapshot) and http (socket listening code),
 * so no room could be read or tested without the ones above it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from './helpers/paths.js';

/** Each room of src/ and its height: a room imports only rooms strictly lower (or itself). */
const RANK: Record<string, number> = {
  cli: 8,
  master: 7,
  // protocols speak other servers' dialects over the HTTP layer's body reading and errors
  protocols: 6.5,
  http: 6, systemd: 6, mltop: 6, train: 6,
  stats: 5, worker: 5,
  cheaper: 4, model: 4,
  net: 3,
  config: 2,
  'errors.ts': 0, 'log.ts': 0, 'journalStream.ts': 0, 'version.ts': 0, types: 0,
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('src/ folders import only downward', () => {
  const src = join(repoRoot, 'src');
  const upward: string[] = [];
  for (const file of files(src)) {
    const from = relative(src, file).split('/')[0]!;
    assert.ok(from in RANK, `src/${from} has no rank in test/architecture.test.ts: give it one`);
    for (const m of readFileSync(file, 'utf8').matchAll(/from '((?:\.\.\/)+)([\w.]+)/g)) {
      // The room of the imported path, resolved from the importing file (rooms nest: src/model/keras/).
      const target = relative(src, resolve(dirname(file), m[1]! + m[2]!)).split('/')[0]!;
      const to = target.endsWith('.js') ? target.replace(/\.js$/, '.ts') : target;
      if (to === from) continue;
      assert.ok(to in RANK, `${relative(repoRoot, file)} imports ../${m[2]}, which has no rank`);
      if (RANK[to]! >= RANK[from]! && to !== from) upward.push(`${relative(repoRoot, file)} -> ${to}`);
    }
  }
  assert.deepEqual(upward, []);
});

/**
 * Outside src/: tests import what they test (src/, bench/) and the shared helpers; bench/ uses
 * the same helpers (test/helpers: sockets, nginx, ports, paths, cleanup), which import only
 * src/. So the arrows run test -> bench -> test/helpers -> src, never back (regression: the
 * issue saw bench <-> test as a cycle; this pins that helpers stay below bench).
 */
test('src imports neither test/ nor bench/; test/helpers and test/fixtures import no bench/ and no test file', () => {
  const offenders: string[] = [];
  const scan = (dir: string, forbidden: RegExp) => {
    for (const file of files(join(repoRoot, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) if (forbidden.test(m[1]!)) offenders.push(`${relative(repoRoot, file)} -> ${m[1]}`);
    }
  };
  scan('src', /(^|\/)(test|bench)\//);
  scan('test/helpers', /(^|\/)bench\/|\.test\.js$/);
  scan('test/fixtures', /(^|\/)bench\/|\.test\.js$/);
  assert.deepEqual(offenders, []);
});
