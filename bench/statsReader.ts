import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { onProcessExit } from '../test/helpers/cleanup.js';
import { cpuTicks } from './procs.js';

/** What a {@link StatsReader} did between its start and its stop. */
export interface StatsReaderResult {
  /** Documents read whole. */
  reads: number;
  /** Connections that failed or closed before any byte. */
  errors: number;
  /** Mean document size, bytes. */
  meanBytes: number;
  /** Seconds from its first read to its stop. */
  seconds: number;
  /** Distinct seconds of the epoch clock in which it read. */
  secondsWithReads: number;
  /** The last document parsed as JSON with a `workers` array. */
  lastValid: boolean;
  /** CPU the reader used, ms. */
  cpuMs: number;
}

/** A process reading a stats socket at a fixed rate, as uwsgitop or a monitoring script would. */
export interface StatsReader {
  readonly pid: number;
  /** Stops reading and resolves with what it did. */
  stop(): Promise<StatsReaderResult>;
}

// Python, like uwsgitop, and about as lean as a reader gets (no event loop, one blocking socket
// per read): connect, read to EOF, close, on an absolute schedule so the rate is exact. Only
// the last document is parsed, so the reader's own CPU stays small; it is measured anyway.
const READER = `
import json, signal, socket, sys, time
path, rate, odd_only = sys.argv[1], float(sys.argv[2]), sys.argv[3] == 'odd'
stop = False
def on_term(signum, frame):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
reads = errors = total = 0
seconds_read = set()
last = b''
start = time.monotonic()
print('started', flush=True)
while not stop:
    now = time.time()
    if odd_only and int(now) % 2 == 0:
        # Only in odd seconds of the epoch clock (mlserve's per-second history uses the same).
        time.sleep(int(now) + 1 - now)
        continue
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
        doc = b''.join(chunks)
        if doc:
            reads += 1
            seconds_read.add(int(now))
            total += len(doc)
            last = doc
        else:
            errors += 1
    except OSError:
        errors += 1
    finally:
        s.close()
    # The next slot of the 1/rate grid of the epoch clock.
    now = time.time()
    wait = (int(now * rate) + 1) / rate - now
    if wait > 0:
        time.sleep(wait)
valid = False
try:
    valid = isinstance(json.loads(last).get('workers'), list)
except Exception:
    pass
print(json.dumps({'reads': reads, 'errors': errors, 'meanBytes': total / reads if reads else 0,
                  'seconds': time.monotonic() - start, 'secondsWithReads': len(seconds_read),
                  'lastValid': valid}), flush=True)
`;

/**
 * Starts a python3 process that reads the stats socket at `path` `rate` times a second until
 * {@link StatsReader.stop}; with `oddSecondsOnly`, only during odd seconds of the epoch clock
 * (`Math.floor(Date.now() / 1000) % 2 === 1`). Resolves once it is running.
 */
export async function startStatsReader(path: string, rate: number, oddSecondsOnly = false, nice = 0): Promise<StatsReader> {
  const args = ['-c', READER, path, String(rate), oddSecondsOnly ? 'odd' : 'all'];
  // nice(1) execs python3 in the same process, so the pid (and its CPU figures) stay the reader's.
  const child: ChildProcess = nice === 0
    ? spawn('python3', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('nice', ['-n', String(nice), 'python3', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const unregister = onProcessExit(function killStatsReader() {
    child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = once(child, 'close');
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (stdout.includes('started\n')) {
        child.stdout!.off('data', check);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void closed.then(() => reject(new Error(`stats reader exited before starting: ${stderr}`)));
  });
  return {
    pid: child.pid!,
    async stop() {
      // Read before it exits: a reaped process has no /proc entry.
      const cpuMs = cpuTicks(child.pid!) * 10;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await closed;
      clearTimeout(timer);
      unregister();
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        return { ...(JSON.parse(line) as Omit<StatsReaderResult, 'cpuMs'>), cpuMs };
      } catch {
        throw new Error(`stats reader: no summary (stdout ${JSON.stringify(stdout)}, stderr ${JSON.stringify(stderr)})`);
      }
    },
  };
}
