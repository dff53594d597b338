import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { VERSION } from '../version.js';
import type { ProcessInfo } from './statsInput.js';

/**
 * The process-wide part of a StatsInput, read now: ids, cwd, `mlserve-<version>`, resident and
 * virtual size. Synchronous and cheap (one small read of /proc/self/status on Linux), so it can
 * run on every stats request.
 */
export function processInfo(): ProcessInfo {
  return {
    pid: process.pid,
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    cwd: process.cwd(),
    version: `mlserve-${VERSION}`,
    startedAt: Math.round(performance.timeOrigin),
    rss: process.memoryUsage.rss(),
    vsz: virtualSize(),
  };
}

/** The process's virtual memory size in bytes (VmSize of /proc/self/status), 0 where there is no /proc. */
export function virtualSize(status?: string): number {
  let text = status;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'latin1');
    } catch {
      return 0; // Not Linux: uWSGI also reports 0 where it cannot tell.
    }
  }
  const m = /^VmSize:\s+(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}
