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
  /** GET: request paths (with query), cycled through in order by each thread. */
  paths?: string[];
  /** POST: these bodies (JSON), cycled through in order by each thread, to `path`. */
  post?: { path: string; bodies: string[] };
  /** wrk threads; at most `connections` are used (wrk needs -c >= -t). */
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
  /** The responses outside 2xx by status code, e.g. { 503: 297 }. */
  statuses: Record<string, number>;
  /** 2xx responses per second: what a client got done (rps counts error answers too). */
  okRps: number;
  /** All of `errors` summed. */
  errorsTotal: number;
  /** The wrk command line, with the Lua script named by what it sends. */
  command: string;
}

const MARKER = 'WRK_JSON ';

/**
 * The Lua script wrk runs to GET `paths` in turn (each thread from its own offset), counting
 * non-2xx answers per thread and printing one JSON line (after MARKER) from done().
 */
export function wrkScript(paths: string[]): string {
  if (paths.length === 0) throw new RangeError('wrkScript: paths must not be empty');
  const quoted = paths.map((path) => `  ${luaString(path)},`).join('\n');
  return scriptAround(`local paths = {
${quoted}
}

local function build()
  for i, path in ipairs(paths) do reqs[i] = wrk.format("GET", path) end
end`);
}

/**
 * The Lua script wrk runs to POST the JSON bodies in `bodyFiles` (read once per thread in init,
 * so megabytes of bodies never go through Lua's parser) to `path` in turn, with the same counting
 * and output as {@link wrkScript}.
 */
export function wrkPostScript(path: string, bodyFiles: string[]): string {
  if (bodyFiles.length === 0) throw new RangeError('wrkPostScript: bodyFiles must not be empty');
  const quoted = bodyFiles.map((file) => `  ${luaString(file)},`).join('\n');
  return scriptAround(`local files = {
${quoted}
}

local function build()
  for i, file in ipairs(files) do
    local f = assert(io.open(file, "rb"))
    local body = f:read("*a")
    f:close()
    reqs[i] = wrk.format("POST", ${luaString(path)}, { ["Content-Type"] = "application/json" }, body)
  end
end`);
}

function luaString(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n')}"`;
}

// The part both scripts share: per-thread offsets, the request cycle, non-2xx counting, done().
function scriptAround(builder: string): string {
  return `-- written by bench/wrk.ts
local reqs = {}
local n = 0
local threads = {}
non2xx = 0 -- globals, so done() can read them with thread:get
codes = {}

${builder}

function setup(thread)
  thread:set("start", #threads * 97)
  table.insert(threads, thread)
end

function init(args)
  build()
  n = (start or 0) % #reqs
end

function request()
  n = n % #reqs + 1
  return reqs[n]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    codes[status] = (codes[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local non = 0
  local all = {}
  for _, t in ipairs(threads) do
    non = non + t:get("non2xx")
    for status, n in pairs(t:get("codes")) do all[status] = (all[status] or 0) + n end
  end
  local statuses = {}
  for status, n in pairs(all) do table.insert(statuses, string.format('"%d":%d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    '${MARKER}{"requests":%.0f,"durationUs":%.0f,"connect":%.0f,"read":%.0f,"write":%.0f,"timeout":%.0f,"non2xx":%.0f,' ..
    '"mean":%.1f,"p50":%.0f,"p90":%.0f,"p99":%.0f,"max":%.0f,"statuses":{%s}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, non,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    table.concat(statuses, ",")))
end
`;
}

/** Reads the MARKER line of wrk's stdout into a {@link WrkResult} (without its `command`). */
export function parseWrkOutput(stdout: string): Omit<WrkResult, 'command'> {
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  if (line === undefined) throw new Error(`no ${MARKER.trim()} line in wrk's output:\n${stdout}`);
  const raw = JSON.parse(line.slice(MARKER.length)) as Record<string, unknown>;
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
    okRps: durationS > 0 ? (n('requests') - n('non2xx')) / durationS : 0,
    statuses: (raw['statuses'] ?? {}) as Record<string, number>,
    latencyMs: { mean: ms('mean'), p50: ms('p50'), p90: ms('p90'), p99: ms('p99'), max: ms('max') },
    errors,
    errorsTotal: Object.values(errors).reduce((a, b) => a + b, 0),
  };
}

/** Runs Debian's wrk (/usr/bin/wrk) once, bounded to the duration plus 30 s. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const { url, paths, post, connections, durationS, timeoutS = 5 } = options;
  if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url)) throw new RangeError(`runWrk: loopback URLs only, got ${url}`);
  if ((paths === undefined) === (post === undefined)) throw new TypeError('runWrk: give exactly one of paths and post');
  const threads = Math.min(options.threads, connections);
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-wrk-'));
  try {
    let script: string;
    if (post) {
      const files = post.bodies.map((body, i) => {
        const file = join(dir, `body-${i + 1}.json`);
        writeFileSync(file, body);
        return file;
      });
      script = join(dir, 'post.lua');
      writeFileSync(script, wrkPostScript(post.path, files));
    } else {
      script = join(dir, 'get.lua');
      writeFileSync(script, wrkScript(paths!));
    }
    const args = [`-t${threads}`, `-c${connections}`, `-d${durationS}s`, '--timeout', `${timeoutS}s`, '-s', script, `${url}/`];
    const command = `wrk ${args.join(' ').replace(dir + '/', '').replace(url, 'http://127.0.0.1:PORT')}`;
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
    return { ...parseWrkOutput(stdout), command };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
