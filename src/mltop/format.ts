/** uwsgitop's human_size: 1.2G, 3.4M, 5.6K, or plain bytes. */
export function humanSize(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)}G`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)}M`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)}K`;
  return String(Math.trunc(n));
}

const BARS = '▁▂▃▄▅▆▇█';

/** One block character per value, scaled to the largest (or `max`); all-zero shows the lowest bar. */
export function sparkline(values: readonly number[], max = Math.max(0, ...values)): string {
  return values
    .map((v) => (max <= 0 || !(v > 0) ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))]))
    .join('');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** Python's time.ctime(), as uwsgitop's header shows it: `Mon Jan  5 12:00:00 2026`. */
export function ctime(ms: number, utc = false): string {
  const d = new Date(ms);
  const [day, month, date, year] = utc
    ? [d.getUTCDay(), d.getUTCMonth(), d.getUTCDate(), d.getUTCFullYear()]
    : [d.getDay(), d.getMonth(), d.getDate(), d.getFullYear()];
  return `${DAYS[day]} ${MONTHS[month]} ${String(date).padStart(2, ' ')} ${clock(ms, utc)} ${year}`;
}

/** HH:MM:SS of an epoch ms. */
export function clock(ms: number, utc = false): string {
  const d = new Date(ms);
  return utc
    ? `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
    : `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** A duration in ms for a narrow column: `0.8ms`, `12ms`, `3.4s`. */
export function shortMs(ms: number): string {
  if (ms < 10) return `${(Math.round(ms * 10) / 10).toString()}ms`;
  if (ms < 10_000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Seconds as `2d03h`, `1h02m`, `3m04s`, `5s`. */
export function uptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s >= 86400) return `${Math.floor(s / 86400)}d${two(Math.floor((s % 86400) / 3600))}h`;
  if (s >= 3600) return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  return `${s}s`;
}

/** The first `width` characters of `text` (code points, so a sparkline is never cut in half). */
export function cut(text: string, width: number): string {
  if (text.length <= width) return text;
  return Array.from(text).slice(0, Math.max(0, width)).join('');
}
