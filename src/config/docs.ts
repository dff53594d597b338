import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { flagSynopsis } from './help.js';
import { envName } from './resolve.js';
import { optionNames, options, type OptionSpec } from './schema.js';
import { ignoredUwsgiKeys, plannedUwsgiKeys } from './uwsgi-keys.js';
import { valueTypes } from './value-types.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const code = (text: string): string => `\`${text}\``;

/** The markdown table of every option, from the schema. */
export function renderOptionsTable(): string {
  const rows = optionNames.map((name) => {
    const spec: OptionSpec = options[name];
    const key = [code(name), ...(spec.aliases ?? []).map((a) => `alias ${code(a)}`)].join('<br>');
    const where = [code(flagSynopsis(name, spec)), code(envName(name))].join('<br>');
    return [
      key,
      valueTypes[spec.type].expected(spec),
      spec.default === null ? '(none)' : code(spec.default),
      spec.reloadable ? 'yes' : 'no (restart)',
      where,
      spec.help,
    ].map(cell).join(' | ');
  });
  return [
    '| key | value | default | reload | flag / env | description |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

/** The markdown lists of the uWSGI keys mlserve ignores, and why. */
export function renderUwsgiKeys(): string {
  return [
    'Ignored, because they have no meaning in mlserve:',
    '',
    ...Object.entries(ignoredUwsgiKeys).map(([key, why]) => `- ${code(key)}: ${why}`),
    '',
    'Not implemented yet in this version, ignored (a later version implements them):',
    '',
    plannedUwsgiKeys.map(code).join(', '),
  ].join('\n');
}

const blocks: Readonly<Record<string, () => string>> = { options: renderOptionsTable, 'uwsgi-keys': renderUwsgiKeys };

/**
 * Replaces each generated block of docs/config.md (`<!-- BEGIN name ... -->` to
 * `<!-- END name -->`) with its current rendering, keeping the prose around it.
 */
export function updateConfigDocs(markdown: string): string {
  let out = markdown;
  for (const [name, render] of Object.entries(blocks)) {
    const re = new RegExp(`(<!-- BEGIN ${name}\\b[^\\n]*-->\\n)[\\s\\S]*?(<!-- END ${name} -->)`);
    if (!re.test(out)) throw new Error(`no "<!-- BEGIN ${name} -->" ... "<!-- END ${name} -->" block`);
    out = out.replace(re, (_, begin: string, end: string) => `${begin}${render()}\n${end}`);
  }
  return out;
}

// `node dist/src/config/docs.js docs/config.md` regenerates the blocks in place.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2] ?? 'docs/config.md';
  await writeFile(file, updateConfigDocs(await readFile(file, 'utf8')));
}
