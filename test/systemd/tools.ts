import { spawnSync } from 'node:child_process';

/**
 * Why tests that run systemd's command-line tools cannot run here (for `{ skip }`), or false when
 * they can: the first of `tools` not on PATH. Debian's `systemd` package has them all, also on
 * machines where systemd is not PID 1 (.ci/run installs it).
 */
export function missingTool(...tools: string[]): string | false {
  for (const tool of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (apt-get install systemd python3)`;
  }
  return false;
}
