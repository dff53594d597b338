/**
 * Types for the npm package `systemd-notify` 1.0 (no types of its own): one function that spawns
 * the `systemd-notify` binary with `--ready`, `--status=`, `--pid=` (our pid whenever ready or
 * status is given) and `--booted`, and settles when it exits. It rejects with stderr as a
 * *string* on a non-zero exit, with an Error when the binary cannot be spawned.
 */
declare module 'systemd-notify' {
  import type { ChildProcess } from 'node:child_process';

  interface NotifyOptions {
    ready?: boolean;
    status?: string;
    pid?: number;
    booted?: boolean;
  }

  function notify(opts?: NotifyOptions, callback?: (err: unknown, cmd?: ChildProcess) => void): Promise<ChildProcess>;
  export = notify;
}
