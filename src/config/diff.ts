import { isDeepStrictEqual } from 'node:util';
import { fieldName, optionNames, options, type Config, type OptionName } from './schema.js';

/** The options two configurations disagree on, and those of them a reload cannot apply. */
export interface ConfigDiff {
  readonly changed: OptionName[];
  /** The changed options whose schema entry says `reloadable: false` (the listeners). */
  readonly needRestart: OptionName[];
}

/**
 * Compares the running configuration with a freshly loaded one, for reload: what changed, and
 * what only a restart can change. Option names are the ini spellings, in schema order.
 *
 * @example
 * const { changed, needRestart } = diffConfig(running, loaded.config);
 * if (needRestart.length > 0) log.warn({ needRestart }, 'restart to apply');
 */
export function diffConfig(a: Config, b: Config): ConfigDiff {
  const changed = optionNames.filter((name) => !isDeepStrictEqual(a[fieldName(name)], b[fieldName(name)]));
  return { changed, needRestart: changed.filter((name) => !options[name].reloadable) };
}
