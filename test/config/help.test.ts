import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { updateConfigDocs } from '../../src/config/docs.js';
import { formatHelp } from '../../src/config/help.js';
import { cliActions } from '../../src/config/args.js';
import { optionNames, options } from '../../src/config/schema.js';
import { ignoredUwsgiKeys } from '../../src/config/uwsgi-keys.js';

test('formatHelp lists every option with its flag, default, env variable and help', () => {
  const help = formatHelp();
  const flat = help.replace(/\s+/g, ' ');
  for (const name of optionNames) {
    const spec = options[name];
    const flag = spec.type === 'bool' ? `--[no-]${name}` : `--${name} `;
    assert.ok(help.includes(flag), `flag of ${name}`);
    assert.ok(flat.includes(`default: ${spec.default ?? '(none)'};`), `default of ${name}`);
    assert.ok(help.includes(`MLSERVE_${name.toUpperCase().replace(/-/g, '_')}`), `env of ${name}`);
    assert.ok(flat.includes(spec.help), `help of ${name}`);
  }
  for (const action of ['--config FILE', '--ini FILE', '--check', '--help', '--version']) assert.ok(help.includes(action), action);
  assert.ok(help.split('\n').every((line) => line.length <= 100), 'lines fit in 100 columns');
});

test('docs/config.md is up to date with the schema (regenerate: node dist/src/config/docs.js docs/config.md)', async () => {
  const docs = await readFile(new URL('../../../docs/config.md', import.meta.url), 'utf8');
  assert.equal(docs, updateConfigDocs(docs));
  for (const name of optionNames) assert.ok(docs.includes(`| \`${name}\``), name);
  for (const key of Object.keys(ignoredUwsgiKeys)) assert.ok(docs.includes(`\`${key}\``), key);
  // The hand-written table of actions names every flag --help lists (regression: --print-config and --set-ph were missing).
  for (const flag of cliActions.flatMap((a) => a.flags)) assert.ok(docs.includes(`\`${flag}`), `docs/config.md does not list ${flag}`);
});

test('updateConfigDocs refuses a document without the generated blocks', () => {
  assert.throws(() => updateConfigDocs('# Configuration\n'), /BEGIN options/);
});
