import { spawnSync } from 'node:child_process';

let found: boolean | undefined;

/**
 * Runs `python3 -c code` with `stdin` and returns its stdout, or null when python3 is not
 * installed (tests then skip their cross-check). A failing script throws with its stderr.
 */
export function python(code?: string, stdin = ''): string | null {
  if (found === undefined) found = spawnSync('python3', ['-c', 'pass']).status === 0;
  if (!found) return null;
  if (code === undefined) return '';
  const r = spawnSync('python3', ['-c', code], { input: stdin, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout;
}
