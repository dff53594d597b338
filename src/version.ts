import { readFileSync } from 'node:fs';

/** mlserve's version, from package.json (read once at startup). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
