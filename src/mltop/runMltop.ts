import { parseStats } from './parseStats.js';
import { renderStyledFrame, type Sample } from './renderFrame.js';
import type { Screen } from './screen.js';
import { readStatsText, type StatsTarget } from './statsTarget.js';
import { applyKey, initialViewState, type ViewState } from './viewState.js';

/** Options of {@link runMltop}. */
export interface MltopOptions {
  target: StatsTarget;
  /** For the `node:` line. */
  host: string;
  /** Refresh interval, seconds (uwsgitop's --frequency); `f` switches to 0.1 s. */
  frequency: number;
  screen: Screen;
  /** Longest wait for one document, ms. */
  timeoutMs?: number;
}

/**
 * The interactive loop: reads a document every `frequency` seconds (0.1 s in fast mode),
 * draws it, and answers keys. A failed read keeps the last document on screen with
 * "disconnected, retrying" and tries again at the next tick, so a restarted server is picked
 * up by itself. Resolves with the exit code when `q` is pressed.
 */
export function runMltop(options: MltopOptions): Promise<number> {
  const { target, screen, frequency } = options;
  let state: ViewState = initialViewState;
  let prev: Sample | null = null;
  let cur: Sample | null = null;
  let message: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let reading = false;
  let stopped = false;

  const draw = (): void => {
    const { width, height } = screen.size();
    const at = cur?.at ?? Date.now();
    screen.draw(renderStyledFrame(prev, cur?.doc ?? null, { ...state, at, host: options.host, frequency, message }, width, height));
  };

  const schedule = (): void => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => void tick(), state.fast ? 100 : frequency * 1000);
  };

  async function tick(): Promise<void> {
    if (reading) return;
    reading = true;
    try {
      const doc = parseStats(await readStatsText(target, options.timeoutMs ?? Math.max(1000, frequency * 1000)));
      // RPS compares two documents of the same master; a restarted server starts over.
      prev = cur !== null && masterPid(cur.doc) === masterPid(doc) ? cur : null;
      cur = { doc, at: Date.now() };
      message = null;
    } catch (err) {
      message = err instanceof SyntaxError ? `bad stats document, retrying: ${err.message}` : `disconnected, retrying (${reason(err)})`;
    } finally {
      reading = false;
    }
    if (stopped) return;
    draw();
    schedule();
  }

  return new Promise<number>((resolve) => {
    screen.onKey((key) => {
      const next = applyKey(state, key);
      if (next === 'quit') {
        stopped = true;
        clearTimeout(timer);
        screen.destroy();
        resolve(0);
        return;
      }
      const refreshChanged = next.fast !== state.fast;
      state = next;
      draw();
      if (refreshChanged) schedule();
    });
    screen.onResize(draw);
    draw();
    void tick();
  });
}

function masterPid(doc: unknown): unknown {
  return typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['pid'] : undefined;
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ?? (e instanceof Error ? e.message : String(err));
}
