import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Logger } from '../log.js';

/** How often touched files are checked (uWSGI checks touch-reload once per master cycle, ~1 s). */
export const TOUCH_POLL_MS = 500;

/**
 * True when a file's change counts as a touch: its mtime moved, including from missing to
 * present (uWSGI compares st_mtime with the one seen at start). Pure.
 */
export function touched(current: Pick<Stats, 'mtimeMs'>, previous: Pick<Stats, 'mtimeMs'>): boolean {
  return current.mtimeMs !== previous.mtimeMs && current.mtimeMs !== 0;
}

/**
 * uWSGI's `touch-reload` / `touch-chain-reload`: watches each file's mtime and calls `onTouch`
 * with its path when it changes. Returns the function that stops watching.
 */
export function watchTouchFiles(paths: readonly string[], onTouch: (path: string) => void, log: Logger): () => void {
  const listeners = paths.map((path) => {
    const listener = (current: Stats, previous: Stats): void => {
      if (!touched(current, previous)) return;
      log.info({ file: path }, 'touched: reloading (touch-reload)');
      onTouch(path);
    };
    watchFile(path, { interval: TOUCH_POLL_MS, persistent: false }, listener);
    return [path, listener] as const;
  });
  return function unwatch() {
    for (const [path, listener] of listeners) unwatchFile(path, listener);
  };
}
