/** mlserve's configuration: one schema, uWSGI-style ini files, environment, flags. */
export { parseArgs, cliActions, type Action, type CliOption, type ParsedArgs } from './args.js';
export { diffConfig, type ConfigDiff } from './diff.js';
export { formatHelp } from './help.js';
export { parseIni, type IniEntry, type IniResult } from './ini.js';
export { loadConfig, type LoadedConfig, type LoadOptions } from './load.js';
export { resolveConfig, envName, type ResolvedConfig, type Source, type Sources } from './resolve.js';
export { options, optionNames, fieldName, findOption, type Address, type Config, type OptionName, type OptionSpec } from './schema.js';
export { formatValue, parseValue } from './value-types.js';
