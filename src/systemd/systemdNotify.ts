import { spawn } from 'node:child_process';

/**
 * Runs `systemd-notify ASSIGNMENT...` (e.g. `RELOADING=1`), the same binary the npm package
 * `systemd-notify` spawns for READY and STATUS, for the messages that package has no option for.
 * No `--pid`: the message must not carry MAINPID=. systemd-notify waits (its barrier, up to 5 s)
 * until the service manager has read the message, so a resolved promise means it was received.
 * Resolves on exit 0; rejects with an Error carrying systemd-notify's stderr otherwise.
 *
 * @example
 * await systemdNotify(['STOPPING=1']);
 */
export function systemdNotify(assignments: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('systemd-notify', [...assignments], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(stderr.trim() || `systemd-notify exited with ${code ?? signal}`));
    });
  });
}
