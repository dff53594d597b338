import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { onProcessExit } from './cleanup.js';
import { LineLog } from './lines.js';

/**
 * The receiving end of NOTIFY_SOCKET, as systemd's manager is: a Unix datagram socket. Node
 * cannot bind one, so python3 does. It closes every descriptor passed with a datagram
 * (SCM_RIGHTS): `systemd-notify` sends BARRIER=1 with a pipe and waits, up to 5 s, until the
 * receiver closes it; a receiver that does not (socat) makes every notification take 5 s.
 */
const RECEIVER = String.raw`
import json, os, socket, struct, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print(json.dumps({"listening": path}), flush=True)
INT = struct.calcsize("i")
while True:
    data, ancillary, _flags, _addr = s.recvmsg(65536, socket.CMSG_SPACE(3 * INT) + socket.CMSG_SPACE(64 * INT))
    fds, pid = [], None
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            n = len(payload) // INT
            fds.extend(struct.unpack("%di" % n, payload[: n * INT]))
        elif level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("3i", payload[: 3 * INT])[0]
    for fd in fds:
        os.close(fd)
    monotonic_usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    print(json.dumps({"data": data.decode("utf-8", "replace"), "pid": pid, "fds": len(fds), "monotonicUsec": monotonic_usec}), flush=True)
`;

/** One datagram received on the socket. */
export interface NotifyDatagram {
  /** Its text: newline-separated assignments, e.g. "READY=1\nMAINPID=42". */
  data: string;
  /** The sender's pid (SCM_CREDENTIALS), as systemd would attribute the message. */
  pid: number | null;
  /** Descriptors passed with it (BARRIER=1 passes one), already closed by the receiver. */
  fds: number;
  /** CLOCK_MONOTONIC at receipt, in µs (compare with MONOTONIC_USEC=). */
  monotonicUsec: number;
  /** performance.now() in this process when the line arrived. */
  atMs: number;
  /** 0, 1, 2, ... in order of arrival, BARRIER=1 datagrams included. */
  seq: number;
}

/** A running NOTIFY_SOCKET receiver. */
export interface NotifySocket {
  /** The socket's path: the value for NOTIFY_SOCKET. */
  path: string;
  /** Every datagram's text so far, in arrival order, BARRIER=1 datagrams left out. */
  readonly messages: string[];
  /** Every datagram so far with its metadata, BARRIER=1 included. */
  readonly datagrams: NotifyDatagram[];
  /**
   * Resolves with the first datagram (seen or to come, BARRIER=1 excluded) whose text matches
   * `predicate`, starting at sequence number `fromSeq`; rejects after `timeoutMs`.
   */
  waitFor(predicate: (message: string) => boolean, timeoutMs?: number, fromSeq?: number): Promise<NotifyDatagram>;
  /** Stops the receiver and removes its directory. */
  close(): Promise<void>;
}

/** The assignments of one datagram's text: "READY=1\nSTATUS=x" -> { READY: '1', STATUS: 'x' }. */
export function notifyFields(message: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of message.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return fields;
}

/** python3 for the receiver: Debian's when present (a pyenv shim costs ~100 ms per start). */
const python3 = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/**
 * Starts a NOTIFY_SOCKET receiver in a new temp dir; resolves once it is bound.
 *
 * @example
 * const notify = await startNotifySocket();
 * const child = spawn(cmd, args, { env: { ...process.env, NOTIFY_SOCKET: notify.path } });
 * await notify.waitFor((m) => notifyFields(m).READY === '1', 30_000);
 * await notify.close();
 */
export async function startNotifySocket(): Promise<NotifySocket> {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-notify-'));
  const path = join(dir, 'notify.sock');
  const child = spawn(python3, ['-u', '-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const unregister = onProcessExit(function killNotifyReceiver() {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  let seq = 0;
  type Line = { listening: string } | NotifyDatagram;
  const out = new LineLog<Line>(child.stdout!, (raw) => {
    const value = JSON.parse(raw) as Line;
    return 'data' in value ? { ...value, atMs: performance.now(), seq: seq++ } : value;
  });
  const err = new LineLog<string>(child.stderr!, (line) => line);
  child.once('close', (code, signal) => out.fail(new Error(`notify receiver exited (code ${code}, signal ${signal}):\n${err.text()}`)));

  const close = async function closeNotifySocket(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      const closed = once(child, 'close');
      child.kill('SIGTERM');
      await closed;
    }
    unregister();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await out.waitFor((l) => 'listening' in l, { timeoutMs: 10_000, what: 'notify receiver "listening" line' });
  } catch (e) {
    await close();
    throw e;
  }

  const isDatagram = (l: Line): l is NotifyDatagram => 'data' in l;
  const isBarrier = (d: NotifyDatagram) => d.data === 'BARRIER=1';
  return {
    path,
    get datagrams() {
      return out.lines.filter(isDatagram);
    },
    get messages() {
      return out.lines.filter(isDatagram).filter((d) => !isBarrier(d)).map((d) => d.data);
    },
    waitFor: (predicate, timeoutMs = 30_000, fromSeq = 0) =>
      out.waitFor((l) => isDatagram(l) && l.seq >= fromSeq && !isBarrier(l) && predicate(l.data), {
        timeoutMs,
        what: 'matching notification',
      }) as Promise<NotifyDatagram>,
    close,
  };
}
