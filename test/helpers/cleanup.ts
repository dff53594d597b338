/**
 * Last-resort cleanup: tests and the bench stop what they start in after()/finally, but a
 * crash, a timeout of the test runner (SIGTERM) or Ctrl-C (SIGINT) skips those. Hooks registered
 * here run synchronously on exit and on those signals, so no nginx, uWSGI or mlserve outlives
 * the process that started it.
 */
const hooks = new Set<() => void>();
let installed = false;

/**
 * Registers a synchronous hook (kill a pid, remove a temp dir) to run if the process exits
 * before `unregister()` is called. Errors thrown by a hook are ignored: the process is going
 * away and each hook must run.
 */
export function onProcessExit(hook: () => void): () => void {
  install();
  hooks.add(hook);
  return function unregister() {
    hooks.delete(hook);
  };
}

function runHooks(): void {
  for (const hook of [...hooks]) {
    hooks.delete(hook);
    try {
      hook();
    } catch {
      // Exiting anyway: the remaining hooks must still run.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runHooks);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, function exitOnSignal() {
      runHooks();
      process.exit(code);
    });
  }
}
