/** What the STATUS= line (`systemctl status mlserve`) says about a running mlserve. */
export interface StatusSnapshot {
  /** Workers running a batch now. */
  readonly busy: number;
  /** Workers that answer predictions (idle + busy): neither starting nor cheaped. */
  readonly active: number;
  /** Worker slots (`workers`). */
  readonly total: number;
  /** Requests per second over the last interval. */
  readonly rps: number;
  readonly model: { readonly name: string; readonly version: number | string };
  /** The backend the workers predict with, as the supervisor reports it (tensorflow, wasm, cpu, ...). */
  readonly backend: string;
}

const thousands = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * The one-line status systemd shows for mlserve, uwsgitop-style: load first, then what is
 * served. Under 10 req/s one decimal is kept, so a trickle does not read as "0 req/s".
 *
 * @example
 * statusLine({ busy: 2, active: 8, total: 8, rps: 1234.4, model: { name: 'reuters', version: 1 }, backend: 'wasm' })
 * // => '2/8 workers busy, 1,234 req/s, model reuters v1 (wasm)'
 */
export function statusLine(s: StatusSnapshot): string {
  const rps = Number.isFinite(s.rps) && s.rps > 0 ? s.rps : 0;
  const rate = rps >= 9.95 ? thousands.format(rps) : String(Math.round(rps * 10) / 10);
  const idleSlots = s.total - s.active;
  const workers = `${s.busy}/${s.active} workers busy${idleSlots > 0 ? ` (${idleSlots} of ${s.total} not ready)` : ''}`;
  return `${workers}, ${rate} req/s, model ${s.model.name} v${s.model.version} (${s.backend})`;
}

/**
 * Requests per second between two readings of a monotonic request counter; 0 when no time
 * passed or the counter went backwards (a restart of the count).
 *
 * @example
 * requestRate({ requests: 100, atMs: 0 }, { requests: 600, atMs: 5000 }) // => 100
 */
export function requestRate(prev: { requests: number; atMs: number }, next: { requests: number; atMs: number }): number {
  const seconds = (next.atMs - prev.atMs) / 1000;
  const delta = next.requests - prev.requests;
  return seconds > 0 && delta >= 0 ? delta / seconds : 0;
}
