import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { repoRoot } from '../../test/helpers/paths.js';
import { startTmux, tmuxMissing } from '../../test/helpers/tmux.js';
import type { MltopCapture } from '../results.js';
import { findProcesses } from '../procs.js';
import { startMlserveTarget } from '../targets.js';
import { runWrk, type WrkResult } from '../wrk.js';
import type { BenchContext } from './context.js';

const WIDTH = 160;
const QUIT_TIMEOUT_MS = 10_000;

/**
 * Resolves once no live mltop reads `statsPath`: mltop must quit on `q`. Not tmux's
 * waitForExit: under load tmux 3.3a sometimes marks the pane dead but never reaps the program
 * (a zombie, so no exit status), and waiting on the status would fail a capture already taken.
 * A process in another session gives no event here: this polls /proc.
 */
async function waitForQuit(mltop: string, statsPath: string): Promise<void> {
  const deadline = Date.now() + QUIT_TIMEOUT_MS;
  // node running mltop on this socket; not the tmux server, whose own arguments name them too.
  const isMltop = (argv: string[]): boolean => argv[0] === process.execPath && argv[1] === mltop && argv[2] === statsPath;
  while (findProcesses(isMltop).length > 0) {
    if (Date.now() > deadline) throw new Error(`mltop still runs ${QUIT_TIMEOUT_MS} ms after q`);
    await delay(50);
  }
}
const HEIGHT = 30;
const CONNECTIONS = 64;

/**
 * mltop's screen under load: mlserve with the ramp's scaling flags and `--stats`, wrk at c=64
 * through nginx, and `mltop <stats socket>` in a tmux pane whose screen is captured after
 * `mltopLoadS` seconds of load, long enough for the cheaper to have spawned workers and for the
 * sparklines to have history.
 */
export async function runMltopCapture(ctx: BenchContext): Promise<{ capture: MltopCapture; wrk: WrkResult }> {
  const missing = tmuxMissing();
  if (missing) throw new Error(`mltop capture: ${missing}`);
  const { options } = ctx;
  const args = options.ramp.mlserveArgs;
  const target = await startMlserveTarget({ modelBase: ctx.modelBase, args, stats: true });
  try {
    const loadS = options.mltopLoadS;
    const threads = Math.min(options.threads, CONNECTIONS);
    ctx.log(`mltop: mlserve ${args.join(' ')} --stats, wrk -t${threads} -c${CONNECTIONS} for ${loadS + 3} s, capture after ${loadS} s`);
    const started = performance.now();
    const load = runWrk({ url: target.url, paths: ctx.getPaths, threads, connections: CONNECTIONS, durationS: loadS + 3 });
    load.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    const mltop = join(repoRoot, 'dist', 'src', 'cli', 'mltop.js');
    const tty = await startTmux({
      command: [process.execPath, mltop, target.statsPath!],
      width: WIDTH,
      height: HEIGHT,
      cwd: repoRoot,
      env: { TZ: 'UTC' },
    });
    let screen: string[];
    try {
      await tty.waitForScreen((rows) => rows[0]?.startsWith('mlserve-') === true, { what: 'mltop header' });
      // A point in the load's timeline, not an event: mltop redraws every second regardless.
      await delay(Math.max(0, started + loadS * 1000 - performance.now()));
      screen = await tty.capture();
      await tty.sendKeys('q');
      await waitForQuit(mltop, target.statsPath!);
    } finally {
      await tty.kill();
    }
    const wrk = await load;
    return {
      capture: {
        date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        command: 'node dist/src/cli/mltop.js <stats socket>',
        load:
          `\`mlserve ${args.join(' ')} --stats <stats socket>\` served \`${wrk.command}\` ` +
          `(GET /predict, real Reuters texts) through nginx, ${loadS} s into the load`,
        width: WIDTH,
        height: HEIGHT,
        screen,
      },
      wrk,
    };
  } finally {
    await target.stop();
  }
}
