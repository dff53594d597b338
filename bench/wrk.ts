import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from '../test/helpers/cleanup.js';

/** Options of {@link runWrk}. */
export interface WrkOptions {
  /** Base URL, loopback only: http://127.0.0.1:PORT */
  url: string;
  /** Request paths (with query), cycled through in order by each connection's thread. */
  paths: string[];
  threads: number;
  connections: number;
  durationS: number;
  /** Per-request timeout: slower requests count as timeout errors. */
  timeoutS?: number;
}

/** What one wrk run measured; latencies in ms. */
export interface WrkResult {
  requests: number;
  durationS: number;
  rps: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** Socket errors by kind, and responses outside 2xx. */
  errors: { connect: number; read: number; write: number; timeout: number; non2xx: number };
  /** All of `errors` summed. */
  errorsTotal: number;
}

const MARKER = 'WRK_JSON ';

/**
 * The Lua script wrk runs: cycles GET over `paths` (each thread from its own offset), counts
 * non-2xx answers per thread, and prints one JSON line (after MARKER) from done().
 */
export function wrkScript(paths: string[]): string {
  if (paths.length === 0) throw new RangeError('wrkScript: paths must not be empty');
  const quoted = paths.map((path) => `  "${path.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n')}",`).join('\n');
  return `-- written by bench/wrk.ts
local paths = {
${quoted}
}
local reqs = {}
local n = 0
local threads = {}
non2xx = 0 -- a global, so done() can read it with thread:get

function setup(thread)
  thread:set("start", #threads * 97)
  table.insert(threads, thread)
end

function init(args)
  for i, path in ipairs(paths) do reqs[i] = wrk.format("GET", path) end
  n = (start or 0) % #reqs
end

function request()
  n = n % #reqs + 1
  return reqs[n]
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local non = 0
  for _, t in ipairs(threads) do non = non + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    '${MARKER}{"requests":%.0f,"durationUs":%.0f,"connect":%.0f,"read":%.0f,"write":%.0f,"timeout":%.0f,"non2xx":%.0f,' ..
    '"mean":%.1f,"p50":%.0f,"p90":%.0f,"p99":%.0f,"max":%.0f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, non,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;
}

/** Reads the MARKER line of wrk's stdout into a {@link WrkResult}. */
export function parseWrkOutput(stdout: string): WrkResult {
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  if (line === undefined) throw new Error(`no ${MARKER.trim()} line in wrk's output:\n${stdout}`);
  const raw = JSON.parse(line.slice(MARKER.length)) as Record<string, number>;
  const n = (key: string): number => {
    const value = raw[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`wrk result: ${key} missing in ${line}`);
    return value;
  };
  const durationS = n('durationUs') / 1e6;
  const ms = (key: string): number => n(key) / 1000;
  const errors = { connect: n('connect'), read: n('read'), write: n('write'), timeout: n('timeout'), non2xx: n('non2xx') };
  return {
    requests: n('requests'),
    durationS,
    rps: durationS > 0 ? n('requests') / durationS : 0,
    latencyMs: { mean: ms('mean'), p50: ms('p50'), p90: ms('p90'), p99: ms('p99'), max: ms('max') },
    errors,
    errorsTotal: Object.values(errors).reduce((a, b) => a + b, 0),
  };
}

/** Runs Debian's wrk (/usr/bin/wrk) once, bounded to the duration plus 30 s. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const { url, paths, threads, connections, durationS, timeoutS = 5 } = options;
  if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url)) throw new RangeError(`runWrk: loopback URLs only, got ${url}`);
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-wrk-'));
  try {
    const script = join(dir, 'predict.lua');
    writeFileSync(script, wrkScript(paths));
    const args = ['-t', String(threads), '-c', String(connections), '-d', `${durationS}s`, '--timeout', `${timeoutS}s`, '-s', script, `${url}/`];
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const unregister = onProcessExit(function killWrk() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (durationS + 30) * 1000);
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    clearTimeout(timer);
    unregister();
    if (code !== 0) throw new Error(`wrk ${args.join(' ')} exited (code ${code}, signal ${signal}):\n${stdout}\n${stderr}`);
    return parseWrkOutput(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
