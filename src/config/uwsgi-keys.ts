/**
 * uWSGI keys that mlserve reads without error, so a pasted uWSGI ini works: each is ignored
 * with a warning that says why. Keep both lists here; a key moves to schema.ts when it is
 * implemented (a test fails if a key is in both places).
 */

/** uWSGI keys that have no meaning in mlserve, with the reason shown in the warning. */
export const ignoredUwsgiKeys: Readonly<Record<string, string>> = Object.freeze({
  plugins: 'mlserve has no plugins; Node.js and tfjs are built in',
  plugin: 'mlserve has no plugins; Node.js and tfjs are built in',
  file: "mlserve serves the model set by 'model', not a Python application",
  callable: "mlserve serves the model set by 'model', not a Python application",
  module: "mlserve serves the model set by 'model', not a Python application",
  'wsgi-file': "mlserve serves the model set by 'model', not a Python application",
  wsgi: "mlserve serves the model set by 'model', not a Python application",
  mount: "mlserve serves one model at the root; use nginx to mount it under a prefix",
  'manage-script-name': 'mlserve serves one model at the root; use nginx to mount it under a prefix',
  'lazy-apps': 'each worker thread always loads the model itself (lazy-apps behaviour)',
  lazy: 'each worker thread always loads the model itself (lazy-apps behaviour)',
  master: "mlserve runs one master with worker threads; 'master' is always on",
  'die-on-term': 'mlserve always shuts down gracefully on SIGTERM (and reloads on SIGHUP)',
  'enable-threads': 'workers are threads already and there is no GIL',
  threads: "each worker thread runs one prediction at a time; use 'workers' and 'max-batch-size'",
  'need-app': 'mlserve never starts without a valid model',
  'single-interpreter': 'there is one Node.js process and no sub-interpreters',
  'disable-logging': "use 'log-level' (e.g. warn) to quiet request logs",
  'memory-report': 'per-request memory reports are not supported',
  logto: 'mlserve logs to stdout; let journald or your process manager keep the log',
  daemonize: 'mlserve stays in the foreground; let systemd or your process manager run it',
  virtualenv: 'a Python-only option',
  venv: 'a Python-only option',
  home: 'a Python-only option',
  pythonpath: 'a Python-only option',
  'py-autoreload': 'a Python-only option',
  'thunder-lock': 'only the master accepts connections, so there is no thundering herd to serialize',
  'post-buffering': "request bodies are always buffered, up to 'max-body-size'",
  'offload-threads': 'responses are small JSON documents; there is nothing to offload',
  vhost: 'mlserve serves one model; use nginx for virtual hosts',
  'pcre-jit': 'mlserve has no internal routing',
  'cheaper-busyness-verbose': "the busyness algorithm's state (averages, multiplier, timers) is always in the stats socket",
});

/**
 * uWSGI keys a later mlserve version implements; until then they are ignored with a warning.
 * A trailing `*` matches a family (`cheaper-busyness-max`).
 */
export const plannedUwsgiKeys: readonly string[] = Object.freeze([]);

function isPlanned(key: string): boolean {
  return plannedUwsgiKeys.some((p) => (p.endsWith('*') ? key.startsWith(p.slice(0, -1)) : key === p));
}

/**
 * Why a uWSGI key is ignored, or null when `key` is not one of ours to ignore.
 *
 * @example
 * uwsgiKeyNote('master') // "ignored: mlserve runs one master with worker threads; 'master' is always on"
 */
export function uwsgiKeyNote(key: string): string | null {
  if (Object.hasOwn(ignoredUwsgiKeys, key)) return `ignored: ${ignoredUwsgiKeys[key]}`;
  if (isPlanned(key)) return 'not implemented yet in this version, ignored';
  return null;
}

/** Every ignorable spelling, for "did you mean" (families without their `*`). */
export function uwsgiKeySpellings(): string[] {
  return [...Object.keys(ignoredUwsgiKeys), ...plannedUwsgiKeys.filter((p) => !p.endsWith('*'))];
}
