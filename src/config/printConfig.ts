import type { LoadedConfig } from './load.js';
import { fieldName, listTypes, optionNames, options, type OptionSpec } from './schema.js';
import { formatValue } from './value-types.js';

/** `file uwsgi.ini:6`, `env MLSERVE_WORKERS`, `flag --workers`. */
function origin(where: string, source: string): string {
  if (source === 'env') return `env ${where}`;
  if (source === 'cli') return `flag ${where}`;
  return `file ${where}`;
}

/**
 * The text of `mlserve --print-config` (and of `mlserve --check -v`, after the check): the effective configuration as an ini file mlserve reads
 * back, each value set somewhere other than the schema's defaults preceded by a comment naming
 * where (file:line, environment variable, flag), then the defaults, the uWSGI keys ignored with
 * their reason, the placeholders, and the warnings.
 */
export function formatConfigReport(loaded: LoadedConfig): string {
  const { config, sources, report } = loaded;
  const set: string[] = [];
  const defaults: string[] = [];
  for (const name of optionNames) {
    const spec: OptionSpec = options[name];
    const value: unknown = config[fieldName(name)];
    if (listTypes.has(spec.type)) {
      const values = value as readonly string[];
      if (values.length === 0) {
        defaults.push(`; ${name} = (none)`);
        continue;
      }
      values.forEach((v, i) => set.push(`; ${name} from ${origin(report.origins[name][i] ?? '', sourceOf(report.origins[name][i] ?? ''))}`, `${name} = ${v}`));
      continue;
    }
    const line = `${name} = ${formatValue(spec, value)}`;
    if (sources[name] === 'default') defaults.push(line);
    else set.push(`; ${name} from ${origin(report.origins[name][0] ?? '', sources[name])}`, line);
  }
  const out = [
    `; mlserve ${loaded.action === 'check' ? '--check -v' : '--print-config'}: the effective configuration${loaded.configFile ? ` read from ${loaded.configFile}` : ''}`,
    '[mlserve]',
    ...set,
    '',
    '; defaults (set nowhere)',
    ...defaults,
  ];
  if (report.ignored.length > 0) {
    out.push('', '; uWSGI keys read and ignored');
    for (const i of report.ignored) out.push(`;   ${i.where}: ${i.key}: ${i.reason}`);
  }
  if (report.placeholders.length > 0 || loaded.setPlaceholders.size > 0) {
    out.push('', '; placeholders (custom keys of [uwsgi] and --set-ph, used as %(name); --set-ph wins)');
    for (const [key, value] of loaded.setPlaceholders) out.push(`;   flag --set-ph: ${key} = ${value}`);
    for (const p of report.placeholders) {
      const note = loaded.setPlaceholders.has(p.key) ? '  (overridden by --set-ph)' : p.used ? '' : '  (never used)';
      out.push(`;   ${p.where}: ${p.key} = ${p.value}${note}`);
    }
  }
  if (loaded.warnings.length > 0) {
    out.push('', '; warnings');
    for (const w of loaded.warnings) out.push(`;   ${w}`);
  }
  return `${out.join('\n')}\n`;
}

// A repeatable option's origins are bare `where`s: flags start with --, variables with MLSERVE_.
function sourceOf(where: string): string {
  if (where.startsWith('--')) return 'cli';
  if (where.startsWith('MLSERVE_')) return 'env';
  return 'file';
}
