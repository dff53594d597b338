import { Agent } from 'node:http';
import { httpRequest } from '../../helpers/http.js';
import { predictPath } from '../../helpers/getText.js';

/** What a {@link startLoad} run saw. */
export interface LoadResult {
  ok: number;
  failed: number;
  /** The first few failures: status codes or error codes. */
  errors: string[];
}

/**
 * `concurrency` clients sending /predict over the Unix socket at `socketPath` back to back, a new
 * connection per request (so a restart's queued connections are exercised), until stop().
 */
export function startLoad(socketPath: string, concurrency: number): { stop(): Promise<LoadResult> } {
  const result: LoadResult = { ok: 0, failed: 0, errors: [] };
  const agent = new Agent({ keepAlive: false });
  let running = true;
  const fail = (what: string): void => {
    result.failed++;
    if (result.errors.length < 5) result.errors.push(what);
  };
  const client = async (): Promise<void> => {
    while (running) {
      try {
        const res = await httpRequest({ socketPath, path: predictPath('oil prices rose sharply in opec talks'), agent, timeoutMs: 60_000 });
        if (res.status === 200) result.ok++;
        else fail(`HTTP ${res.status} ${res.body.slice(0, 200)}`);
      } catch (err) {
        fail((err as NodeJS.ErrnoException).code ?? String(err));
      }
    }
  };
  const clients = Array.from({ length: concurrency }, client);
  return {
    async stop() {
      running = false;
      await Promise.all(clients);
      agent.destroy();
      return result;
    },
  };
}
