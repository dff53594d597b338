/**
 * The stats thread's entry (see startStatsThread): it owns the stats socket, and for each client
 * asks the main thread for the counters (a StatsInput), then builds, serializes and writes the
 * document here, so the thread that serves HTTP only copies its counters. Not a module to
 * import.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MlserveError } from '../errors.js';
import { buildStatsDocument } from './buildStatsDocument.js';
import { freshSingleFlight } from './freshSingleFlight.js';
import { startStatsServer, type StatsLog, type StatsServer } from './statsServer.js';
import type { StatsInput } from './statsInput.js';
import type { FromStatsThread, StatsThreadData, ToStatsThread } from './statsThreadProtocol.js';

const port = parentPort!;
const data = workerData as StatsThreadData;

const post = (message: FromStatsThread): void => port.postMessage(message);

const log: StatsLog = {
  debug: (fields, msg) => post({ type: 'log', level: 'debug', fields: { ...fields }, msg }),
  error: (fields, msg) => post({ type: 'log', level: 'error', fields: { ...fields }, msg }),
};

let nextId = 1;
const pending = new Map<number, { resolve: (input: StatsInput) => void; reject: (err: Error) => void }>();

// The main thread answers within a loop turn; one that has not after the client timeout is not
// going to (a lost reply must not make every later client wait on this call forever).
function askMain(): Promise<StatsInput> {
  const id = nextId++;
  return new Promise<StatsInput>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`the main thread did not send its counters within ${data.timeoutMs} ms`));
    }, data.timeoutMs);
    pending.set(id, {
      resolve: (input) => {
        clearTimeout(timer);
        resolve(input);
      },
      reject: (err) => {
        clearTimeout(timer);
        reject(err);
      },
    });
    post({ type: 'input', id });
  });
}

const input = freshSingleFlight(askMain);
let server: StatsServer | null = null;

port.on('message', (message: ToStatsThread) => {
  if (message.type === 'close') {
    void (async () => {
      try {
        await server?.close(message.vacuum);
      } catch (err) {
        log.error({ err }, 'stats: cannot remove the socket file');
      }
      for (const waiting of pending.values()) waiting.reject(new Error('stats thread closing'));
      pending.clear();
      port.close();
    })();
    return;
  }
  const waiting = pending.get(message.id);
  if (!waiting) return;
  pending.delete(message.id);
  if ('error' in message) waiting.reject(new Error(message.error));
  else waiting.resolve(message.input);
});

try {
  server = await startStatsServer({
    address: data.address,
    http: data.http,
    minified: data.minified,
    mode: data.mode,
    vacuum: data.vacuum,
    timeoutMs: data.timeoutMs,
    log,
    build: async () => {
      return buildStatsDocument(await input());
    },
  });
  post({ type: 'listening', address: server.address });
} catch (err) {
  post({ type: 'failed', code: err instanceof MlserveError ? err.code : null, message: (err as Error).message });
  port.close();
}
