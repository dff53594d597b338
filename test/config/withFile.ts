import { parseIni } from '../../src/config/ini.js';
import { resolveConfig, type ResolvedConfig, type ResolveInput } from '../../src/config/resolve.js';

/** The working directory the config tests resolve against. */
export const cwd = '/srv/app';
/** The file name the config tests' ini text is read as. */
export const fileName = 'config/mlserve.ini';

/** resolveConfig with a file written as text. */
export function withFile(text: string, rest: Omit<ResolveInput, 'cwd'> = {}): ResolvedConfig {
  const { entries, referenced } = parseIni(text, { fileName, cwd, env: rest.env ?? {} });
  return resolveConfig({ fileEntries: entries, fileName, cwd, referenced, ...rest });
}
