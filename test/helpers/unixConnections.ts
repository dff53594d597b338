import { readFileSync } from 'node:fs';

/**
 * Open connections accepted on the Unix socket `socketPath`, listener excluded, read from
 * /proc/net/unix (Linux): how a test sees whether nginx keeps upstream connections alive.
 */
export function acceptedConnections(socketPath: string): number {
  return readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .filter((line) => line.endsWith(` ${socketPath}`))
    .map((line) => line.trim().split(/\s+/))
    // Fields: Num RefCount Protocol Flags Type St Inode Path; St 03 = connected, the listener is 01.
    .filter((fields) => fields[5] === '03').length;
}
