/**
 * How often to send WATCHDOG=1, read the way `sd_watchdog_enabled(3)` reads it: systemd sets
 * WATCHDOG_USEC (from WatchdogSec=) and WATCHDOG_PID (the main pid) for the service. Returns half
 * the period in ms, as sd_watchdog_enabled(3) recommends, or null when no watchdog applies: the
 * variable is unset, not a positive number, or WATCHDOG_PID names another process.
 *
 * @example
 * watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42) // => 15000
 */
export function watchdogIntervalMs(env: Readonly<Record<string, string | undefined>>, pid: number): number | null {
  const usecVar = env['WATCHDOG_USEC'];
  if (usecVar === undefined || !/^\d+$/.test(usecVar)) return null;
  const usec = Number(usecVar);
  if (usec === 0 || !Number.isSafeInteger(usec)) return null;
  const pidVar = env['WATCHDOG_PID'];
  // Unset WATCHDOG_PID means "for whoever reads it" (sd_watchdog_enabled skips the check).
  if (pidVar !== undefined && (!/^\d+$/.test(pidVar) || Number(pidVar) !== pid)) return null;
  return Math.max(1, Math.floor(usec / 2000));
}
