import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onProcessExit } from './cleanup.js';

const run = promisify(execFile);

/** Debian's tmux; TMUX_BIN overrides it. */
export const tmuxBin: string = process.env['TMUX_BIN'] ?? '/usr/bin/tmux';

/** Why terminal tests cannot run here (for `{ skip }`), or false when they can. */
export function tmuxMissing(): string | false {
  try {
    accessSync(tmuxBin, constants.X_OK);
    return false;
  } catch {
    return `${tmuxBin} is not installed (apt-get install tmux)`;
  }
}

/** Options of {@link startTmux}. */
export interface TmuxOptions {
  /** The program and its arguments, run in the pane (quoted for the shell here). */
  command: readonly string[];
  width?: number;
  height?: number;
  cwd?: string;
  /** Set in the pane's environment, e.g. { TZ: 'UTC' }. */
  env?: Record<string, string>;
}

/** A program running in a real terminal: a detached tmux session on a private server. */
export interface TmuxSession {
  /** The visible screen, one string per row (trailing blanks trimmed). */
  capture(): Promise<string[]>;
  /** tmux key names: 's', 'q', 'Enter', 'C-c'. */
  sendKeys(...keys: string[]): Promise<void>;
  /**
   * Polls the screen until `predicate` holds; rejects after `timeoutMs` with the last screen.
   * Resolves with that screen.
   */
  waitForScreen(predicate: (rows: string[]) => boolean, options?: { timeoutMs?: number; what?: string }): Promise<string[]>;
  /** Resolves with the program's exit status once it has exited (the pane stays, dead). */
  waitForExit(options?: { timeoutMs?: number }): Promise<number>;
  /** Resizes the terminal, as a user dragging the window. */
  resize(width: number, height: number): Promise<void>;
  /** Ends the tmux server and everything in it. */
  kill(): Promise<void>;
}

const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Starts `command` in a `width`×`height` terminal (tmux `new-session -d`), on a tmux server of
 * its own (`-S` in a temp dir, an empty config file but `remain-on-exit` and no status line), so tests never
 * touch a user's tmux and can read the exit status of the program (`#{pane_dead_status}`).
 *
 * @example
 * const tty = await startTmux({ command: ['node', 'dist/src/cli/mltop.js', sock] });
 * await tty.waitForScreen((rows) => rows[0]!.startsWith('mlserve-'));
 * await tty.sendKeys('q');
 * assert.equal(await tty.waitForExit(), 0);
 */
export async function startTmux(options: TmuxOptions): Promise<TmuxSession> {
  const { width = 160, height = 40 } = options;
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-tmux-'));
  const conf = join(dir, 'tmux.conf');
  // Read when the server starts, before the pane's program runs: no race with a quick exit.
  writeFileSync(conf, 'set -g remain-on-exit on\nset -g status off\nset -g history-limit 100\n');
  // The server's socket lives in the temp dir too: tmux leaves it behind after kill-server.
  const server = join(dir, 'tmux.sock');
  const tmux = (...args: string[]) => run(tmuxBin, ['-S', server, '-f', conf, ...args], { cwd: options.cwd });
  const unregister = onProcessExit(function killTmux() {
    try {
      execFileSync(tmuxBin, ['-S', server, 'kill-server'], { stdio: 'ignore' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  // The program runs under `sh`, which reaps it and writes its exit status to a file: tmux does
  // not always reap a pane's program promptly (seen: a node process left a zombie for 20 s with
  // no #{pane_dead_status}), so the status file, not tmux, says how it ended.
  const statusFile = join(dir, 'status');
  const script = `${options.command.map(quote).join(' ')}; echo $? > ${quote(statusFile)}`;
  await tmux('new-session', '-d', '-s', 'main', '-x', String(width), '-y', String(height), ...env, `sh -c ${quote(script)}`);

  const capture = async (): Promise<string[]> => {
    const { stdout } = await tmux('capture-pane', '-p', '-t', 'main');
    return stdout.replace(/\n$/, '').split('\n').map((row) => row.trimEnd());
  };
  const poll = async <T>(probe: () => Promise<T | undefined>, timeoutMs: number, fail: () => Promise<string>): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(await fail());
      await new Promise((resolve) => setTimeout(resolve, 50)); // polling a screen: it has no event to wait on
    }
  };

  return {
    capture,
    async sendKeys(...keys) {
      await tmux('send-keys', '-t', 'main', ...keys);
    },
    waitForScreen(predicate, { timeoutMs = 10_000, what = 'the expected screen' } = {}) {
      let last: string[] = [];
      return poll(
        async () => {
          last = await capture();
          return predicate(last) ? last : undefined;
        },
        timeoutMs,
        async () => `no ${what} within ${timeoutMs} ms; the screen:\n${last.join('\n')}`,
      );
    },
    waitForExit({ timeoutMs = 10_000 } = {}) {
      return poll(
        async () => {
          const text = existsSync(statusFile) ? readFileSync(statusFile, 'utf8').trim() : '';
          // sh writes 128 + N for a program killed by signal N.
          if (text === '') return undefined;
          const status = Number(text);
          if (status > 128) throw new Error(`the program was killed by signal ${status - 128}`);
          return status;
        },
        timeoutMs,
        async () => `the program did not exit within ${timeoutMs} ms; the screen:\n${(await capture()).join('\n')}`,
      );
    },
    async resize(w, h) {
      await tmux('resize-window', '-t', 'main', '-x', String(w), '-y', String(h));
    },
    async kill() {
      await tmux('kill-server').catch(() => undefined); // already gone is fine
      unregister();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
