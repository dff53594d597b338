import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/schema.js';
import { diffConfig } from '../config/diff.js';
import { MlserveError } from '../errors.js';
import { setLogFormat, type Logger } from '../log.js';
import { loadModel, type LoadedModel } from '../model/loadModel.js';
import { createApp, type AppDeps } from '../http/app.js';
import { fastPredictListener, predictLane } from '../http/fastPredict.js';
import { uwsgiPredictLane } from '../http/uwsgiLane.js';
import type { UwsgiDirect } from '../net/uwsgiConnection.js';
import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { InputLimits } from '../http/validateInput.js';
import { createCheaper, initialWorkers } from '../cheaper/index.js';
import { Dispatcher } from './dispatcher.js';
import { HttpServers } from './httpServers.js';
import { Scaler } from './scaler.js';
import { Supervisor } from './supervisor.js';
import type { ThreadFactory } from './predictThread.js';
import type { Clock } from './clock.js';
import type { InheritedFd } from '../systemd/listenFds.js';
import type { HeartbeatSnapshot } from '../systemd/heartbeat.js';
import { MasterStats } from './masterStats.js';
import { overRssLimit } from './recyclePolicy.js';
import { removePidfile, writePidfile } from './pidfile.js';
import { metricsHandler } from '../http/metrics.js';
import { InFlight } from '../http/inFlight.js';
import { mountProtocols } from '../protocols/mountProtocols.js';
import type { ProtocolDeps } from '../protocols/protocolDeps.js';
import type { ServedModel, VersionStatus } from '../model/servedModel.js';
import { inputSignature } from '../model/bundle.js';
import { chownSockets, dropPrivileges } from './processOptions.js';

/** Options of {@link Master.start}. */
export interface MasterOptions {
  /** Makes the worker threads (the supervisor's seam): real threads on the production worker by default. */
  threads?: ThreadFactory;
  /** Time of the supervisor's respawn backoff and the dispatcher's harakiri (tests: a fake clock). */
  clock?: Clock;
  /** Reads the config again (same file, env and flags), for reload. */
  reloadConfig?: () => Promise<Config>;
  /** Listening sockets passed by systemd (takeListenFds()): the Unix listener serves one instead of binding `socket`. */
  inheritedFds?: readonly InheritedFd[];
  /** Called with the master before it boots, to attach listeners to its events (systemd). */
  onCreate?: (master: Master) => void;
}

// draining: SIGTERM arrived, /readyz says 503 while requests are still served (shutdown-delay).
type State = 'starting' | 'serving' | 'reloading' | 'draining' | 'stopping';

/**
 * The master: loads and validates the model once, starts the worker threads, serves the HTTP
 * API on the Unix socket (and optionally TCP), reloads on request, and shuts down gracefully.
 * Wiring and effects only; decisions live in the modules it calls.
 *
 * Events, for notifiers (systemd) and tests: `status` (text), `ready`, `reloading`,
 * `reloaded` (model), `reload-failed` (error), `stopping`.
 */
export class Master extends EventEmitter {
  readonly log: Logger;
  readonly supervisor: Supervisor;
  readonly dispatcher: Dispatcher;
  readonly stats: MasterStats;
  #config: Config;
  #scaler: Scaler | null;
  #model: LoadedModel;
  #limits: InputLimits & { maxBodySize: number };
  #servers: HttpServers;
  #cycle: NodeJS.Timeout | null = null;
  #state: State = 'starting';
  #stopped: Promise<number> | null = null;
  readonly #inFlight = new InFlight();
  /** The versions TF Serving's model status reports: LOADING at start, two during a reload. */
  #versions: VersionStatus[];
  readonly #options: MasterOptions;

  private constructor(config: Config, log: Logger, model: LoadedModel, options: MasterOptions) {
    super();
    this.#config = config;
    this.log = log;
    this.#model = model;
    this.#options = options;
    this.#versions = [{ version: model.bundle.version, state: 'LOADING' }];
    this.supervisor = new Supervisor({
      size: config.workers,
      bundle: model.bundle,
      backend: config.backend,
      fastPath: config.fastPath,
      maxHeap: config.workerMaxHeap,
      log,
      ...(options.threads ? { threads: options.threads } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      recycle: recycleOptions(config),
    });
    this.dispatcher = new Dispatcher({
      supervisor: this.supervisor,
      ...dispatchOptions(config),
      ...(options.clock ? { clock: options.clock } : {}),
      onBatch: (rows, requests) => this.stats.collector.recordBatch(rows, requests),
      log,
    });
    this.stats = new MasterStats({
      supervisor: this.supervisor,
      dispatcher: this.dispatcher,
      config: () => this.#config,
      bundle: () => this.#model.bundle,
      cheaper: () => this.#scaler?.cheaper ?? null,
      inFlight: () => this.#inFlight.count,
      log,
    });
    this.#scaler = this.#createScaler(config);
    this.#limits = limitsOf(config);
    this.#servers = new HttpServers(config, log, options.inheritedFds ?? []);
  }

  /**
   * Boots a master: model first (fail fast, before any thread), then workers, then sockets.
   * Resolves once it serves; logs one `ready` line with what it serves and how long it took.
   */
  static async start(config: Config, log: Logger, options: MasterOptions = {}): Promise<Master> {
    const model = await loadModel(config.model, log);
    const master = new Master(config, log, model, options);
    options.onCreate?.(master);
    try {
      await master.#boot();
    } catch (err) {
      // A boot that fails after binding (uid/gid that cannot be applied) leaves no socket behind.
      master.#servers.closeAll();
      await master.#servers.vacuum();
      await master.supervisor.stop(1000).catch(() => undefined);
      throw err;
    }
    return master;
  }

  /** What systemd's STATUS= line and watchdog read (src/systemd/attachSystemd.ts). */
  systemdSnapshot(): HeartbeatSnapshot {
    const c = this.supervisor.slots.counts();
    const { bundle } = this.#model;
    return {
      busy: c.busy,
      active: this.supervisor.activeCount,
      total: this.supervisor.slots.size,
      requests: this.supervisor.slots.snapshot().reduce((sum, slot) => sum + slot.requests, 0),
      model: { name: bundle.name, version: bundle.version },
      backend: this.supervisor.backend,
    };
  }

  /** The config in force (it changes on reload). */
  get config(): Config {
    return this.#config;
  }

  /** The model being served. */
  get model(): LoadedModel {
    return this.#model;
  }

  /** The cheaper loop; null when scaling is off (`cheaper = 0`). */
  get scaler(): Scaler | null {
    return this.#scaler;
  }

  async #boot(): Promise<void> {
    const { log } = this;
    const config = this.#config;
    const { bundle } = this.#model;
    this.emit('status', `loading model ${bundle.name} v${bundle.version}`);
    const initial = initialWorkers(config);
    this.emit('status', `starting ${initial} workers`);
    log.info({ workers: initial, slots: config.workers, cheaper: config.cheaper, algo: this.#scaler?.cheaper.algorithm ?? null }, `starting ${initial} workers`);
    // uWSGI binds as root and drops uid/gid before any worker exists; without them, workers
    // come first so the socket only accepts once something can answer.
    const dropping = config.uid !== null || config.gid !== null;
    if (dropping) {
      await this.#listen();
      // uWSGI writes `pidfile` before dropping privileges (and `pidfile2` after).
      if (config.pidfile) await writePidfile(config.pidfile);
      dropPrivileges(config, log);
    }
    await this.supervisor.start(initial);
    if (!dropping) await this.#listen();
    await this.stats.start();
    if (config.pidfile && !dropping) await writePidfile(config.pidfile);
    this.#state = 'serving';
    this.#versions = [{ version: bundle.version, state: 'AVAILABLE' }];
    this.#startCycle(config.checkInterval);
    log.info(
      {
        model: { name: bundle.name, version: bundle.version, accuracy: bundle.metadata['testAccuracy'] ?? null },
        backend: this.supervisor.backend,
        engine: this.supervisor.engine,
        workers: initial,
        slots: config.workers,
        socket: config.socket,
        http: config.http ? `${config.http.host}:${config.http.port}` : null,
        startupMs: Math.round(performance.now()),
      },
      'ready',
    );
    this.emit('ready');
  }

  async #listen(): Promise<void> {
    const { listener, uwsgi } = this.lanes();
    await this.#servers.listen(listener, uwsgi);
    await chownSockets(this.#config, this.#servers.socketFiles());
  }

  /** The node request listener: the thin lane for GET /predict, hono for the rest. */
  requestListener(): RequestListener {
    return this.lanes().listener;
  }

  /**
   * The request listener and the uwsgi direct lane (GET /predict answered straight from a
   * uwsgi packet; the rest of uwsgi reaches the listener as HTTP), over one set of deps.
   */
  lanes(): { listener: RequestListener; uwsgi: UwsgiDirect } {
    const deps: ProtocolDeps = { ...this.#appDeps(), served: () => this.served() };
    const app = createApp(deps, (a) => mountProtocols(a, deps));
    // HTTP/1.0 does not require a Host: hono builds the URL with localhost then, as it does for uwsgi without HTTP_HOST.
    const hono = getRequestListener(app.fetch, { autoCleanupIncoming: false, hostname: 'localhost' });
    return {
      listener: this.#inFlight.wrap(fastPredictListener(deps, hono)),
      uwsgi: uwsgiPredictLane(predictLane(deps), this.#inFlight),
    };
  }

  #appDeps(): AppDeps {
    return {
      submit: (input, options) => this.dispatcher.submit(input, options),
      readiness: () => this.readiness(),
      // Slot 0 is the quarantine thread (src/master/quarantine.ts): no slot to account it to.
      addTx: (slot, bytes) => {
        if (slot > 0) this.supervisor.slots.addTx(slot, bytes);
      },
      // While draining too: keep-alive clients reconnect, and a new connection finds a pod that stays.
      closing: () => this.#state === 'stopping' || this.#state === 'draining',
      onResponse: (route, status, ms) => this.stats.collector.recordRequest(route, status, ms),
      ...(this.#config.metrics ? { metrics: metricsHandler(this.stats.collector, () => this.stats.input()) } : {}),
      limits: this.#limits,
      log: this.log,
    };
  }

  #startCycle(seconds: number): void {
    if (this.#cycle) clearInterval(this.#cycle);
    this.#cycle = setInterval(() => this.#tick(), seconds * 1000);
    this.#cycle.unref();
  }

  /** The master's check-interval cycle: the cheaper loop (more checks join it here). */
  #tick(): void {
    if (this.#state !== 'serving') return;
    try {
      this.#scaler?.tick();
      this.#checkRss();
    } catch (err) {
      this.log.error({ err }, 'master cycle failed');
    }
  }

  /** uWSGI's reload-on-rss, on the memory the poller last reported for each thread. */
  #checkRss(): void {
    const limit = this.#config.reloadOnRss;
    if (limit === null) return;
    const now = Date.now();
    for (const s of this.supervisor.slots.snapshot()) {
      if (s.status !== 'idle' && s.status !== 'busy') continue;
      const rss = this.stats.workerRss(s.id);
      if (overRssLimit(rss, limit, now - s.lastSpawn, this.#config.minWorkerLifetime * 1000)) {
        void this.supervisor.replace(s.id, `reload-on-rss: ${Math.round(rss / 1048576)} MiB > ${Math.round(limit / 1048576)} MiB`);
      }
    }
  }

  /**
   * An operator's `+n` / `-n` workers (SIGTTIN / SIGTTOU, as Gunicorn): with `manual` it moves
   * the target; with another algorithm it acts once and the algorithm takes over again.
   */
  adjustWorkers(delta: number): void {
    if (!this.#scaler) {
      this.log.warn({ delta }, 'scaling is off (cheaper = 0): all workers already run');
      return;
    }
    this.log.info({ delta }, `operator asked for ${delta > 0 ? '+' : ''}${delta} worker(s)`);
    this.#scaler.cheaper.adjust(delta);
  }

  /**
   * Reload (SIGHUP): re-read the config and the model directory, validate the new model before
   * touching any worker, then replace the workers one at a time (chain reload), each new one
   * ready before an old one retires. Requests keep being served throughout. A config that does
   * not resolve or a model that does not validate leaves everything as it was.
   * Resolves true when the reload took effect.
   */
  async reload(): Promise<boolean> {
    if (this.#state !== 'serving') {
      this.log.warn({ state: this.#state }, 'reload ignored: not serving right now');
      return false;
    }
    this.#state = 'reloading';
    this.emit('reloading');
    const t0 = performance.now();
    const { log } = this;
    try {
      const next = this.#options.reloadConfig ? await this.#options.reloadConfig() : this.#config;
      const { changed, needRestart } = diffConfig(this.#config, next);
      if (needRestart.length > 0) {
        log.warn({ needRestart }, `changed options that need a restart, kept as they are: ${needRestart.join(', ')}`);
      }
      const model = await loadModel(next.model, log);
      const applied = this.#apply(next, needRestart);
      log.info({ changed: changed.filter((k) => !needRestart.includes(k)), from: this.#model.bundle.version, to: model.bundle.version }, `reloading: model ${model.bundle.name} v${model.bundle.version}`);
      const from = this.#model.bundle.version;
      if (model.bundle.version !== from) this.#versions = [{ version: model.bundle.version, state: 'LOADING' }, { version: from, state: 'AVAILABLE' }];
      try {
        await this.supervisor.reload(model.bundle);
      } catch (err) {
        this.#versions = [{ version: from, state: 'AVAILABLE' }];
        throw err;
      }
      // The old version's threads are gone: TF Serving reports such a version as END.
      this.#versions = model.bundle.version !== from ? [{ version: model.bundle.version, state: 'AVAILABLE' }, { version: from, state: 'END' }] : [{ version: from, state: 'AVAILABLE' }];
      // workers: slots added (spawned when scaling is off) or retired and removed.
      await this.supervisor.resize(applied.workers, this.#scaler === null);
      this.#model = model;
      this.#config = applied;
      log.info({ model: { name: model.bundle.name, version: model.bundle.version }, ms: Math.round(performance.now() - t0) }, 'reloaded');
      this.emit('reloaded', model);
      return true;
    } catch (err) {
      const message = err instanceof MlserveError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
      log.error({ err, reason: message }, `reload failed, still serving ${this.#model.bundle.name} v${this.#model.bundle.version}`);
      this.emit('reload-failed', err);
      return false;
    } finally {
      if (this.#state === 'reloading') this.#state = 'serving';
    }
  }

  /** Applies the reloadable part of a new config; what needs a restart keeps its old value. */
  #apply(next: Config, needRestart: readonly string[]): Config {
    const merged = { ...next } as Record<string, unknown>;
    for (const key of needRestart) {
      const field = key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      merged[field] = (this.#config as unknown as Record<string, unknown>)[field];
    }
    const config = merged as unknown as Config;
    Object.assign(this.#limits, limitsOf(config));
    this.#servers.configure(config);
    this.dispatcher.configure(dispatchOptions(config));
    this.supervisor.configure({ recycle: recycleOptions(config), backend: config.backend, fastPath: config.fastPath, maxHeap: config.workerMaxHeap });
    this.#scaler = this.#createScaler(config);
    this.log.level = config.logLevel;
    setLogFormat(this.log, config.logFormat);
    if (config.checkInterval !== this.#config.checkInterval) {
      this.#startCycle(config.checkInterval);
      this.stats.setCheckInterval(config.checkInterval);
    }
    return config;
  }

  #createScaler(config: Config): Scaler | null {
    const cheaper = createCheaper(config);
    return cheaper
      ? new Scaler({
          supervisor: this.supervisor,
          cheaper,
          backlog: () => this.dispatcher.queueLength,
          backlogArea: () => this.dispatcher.backlogArea(),
          rss: () => this.stats.activeRss(),
          log: this.log,
        })
      : null;
  }

  /** The served model as TF Serving, KServe V2 and SageMaker describe it. */
  served(): ServedModel {
    const { bundle } = this.#model;
    const { text, inputSize } = inputSignature(bundle);
    return { name: this.#config.modelName ?? bundle.name, version: bundle.version, labels: bundle.labels, input: { text, inputSize }, versions: this.#versions };
  }

  /** What /readyz answers. */
  readiness(): { ready: boolean; reason?: string; [k: string]: unknown } {
    const c = this.supervisor.slots.counts();
    const { bundle } = this.#model;
    const info = {
      model: { name: bundle.name, version: bundle.version, backend: this.supervisor.backend, engine: this.supervisor.engine },
      workers: { total: this.supervisor.slots.size, ready: this.supervisor.activeCount, idle: c.idle, busy: c.busy, starting: c.starting, cheap: c.cheap, stopping: c.stopping, failed: c.failed },
      queue: this.dispatcher.queueLength,
      reloading: this.#state === 'reloading',
    };
    if (this.#state === 'draining') return { ready: false, reason: 'draining', ...info };
    if (this.#state === 'stopping') return { ready: false, reason: 'shutting down', ...info };
    const failed = this.supervisor.slots.snapshot().filter((s) => s.status === 'failed').map((s) => ({ id: s.id, failures: s.failures, lastError: s.lastError }));
    const failures = failed.length > 0 ? { failed } : {};
    if (this.supervisor.activeCount === 0) return { ready: false, reason: failed.length > 0 ? `no worker is ready; ${failed.length} slot(s) keep failing` : 'no worker is ready', ...info, ...failures };
    // Serving, with fewer workers than it should: 200 (it answers), and says so.
    if (failed.length > 0) return { ready: true, status: 'degraded', reason: `${failed.length} worker slot(s) keep failing`, ...info, ...failures };
    return { ready: true, ...info };
  }

  /**
   * Graceful shutdown: with `shutdown-delay`, first drain for that long (/readyz 503 `draining`,
   * every request still accepted and served) so a load balancer drops the endpoint before the
   * listener closes; then stop accepting, let queued and running requests finish within
   * `shutdown-timeout`, end the threads, remove the socket (vacuum). Resolves with the exit code.
   */
  stop(reason: string): Promise<number> {
    this.#stopped ??= this.#shutdown(reason);
    return this.#stopped;
  }

  async #shutdown(reason: string): Promise<number> {
    const { log } = this;
    const t0 = performance.now();
    const delay = this.#config.shutdownDelay;
    if (delay > 0 && this.#state !== 'starting') {
      this.#state = 'draining';
      this.emit('stopping');
      const text = `draining: readyz 503, still serving for shutdown-delay ${delay} s`;
      log.info({ reason, delayMs: delay * 1000, inFlight: this.#inFlight.count }, text);
      this.emit('status', text);
      await new Promise((resolve) => setTimeout(resolve, delay * 1000));
    }
    if (this.#state !== 'draining') this.emit('stopping');
    this.#state = 'stopping';
    this.#versions = this.#versions.map((v) => ({ ...v, state: 'UNLOADING' }));
    if (this.#cycle) clearInterval(this.#cycle);
    log.info({ reason, queued: this.dispatcher.queueLength, inFlight: this.dispatcher.inFlight }, 'shutting down');
    // No new connections; requests already received are served, and their answers carry
    // `Connection: close`.
    const graceMs = this.#config.shutdownTimeout * 1000;
    const drained = await withTimeout(Promise.all([this.#servers.close(), this.dispatcher.drained()]), graceMs);
    this.dispatcher.close();
    if (!drained) {
      log.warn({ queued: this.dispatcher.queueLength, inFlight: this.dispatcher.inFlight }, 'shutdown-timeout reached, dropping what is left');
      this.dispatcher.abortQueued(new MlserveError('ERR_SHUTTING_DOWN', 'the server shut down before this request ran'));
      // Let the rejected requests write their 503 (Retry-After: nginx can retry it elsewhere)
      // before the sockets are cut: their handlers run after this turn (regression: closeAll()
      // ran first and nginx saw a reset, a 502). Bounded: a request stuck in a worker is cut.
      await this.#inFlight.idle(200);
      this.#servers.closeAll();
    }
    await this.supervisor.stop(Math.max(100, graceMs - (performance.now() - t0)));
    await this.stats.stop();
    if (this.#config.pidfile) await removePidfile(this.#config.pidfile);
    await this.#servers.vacuum();
    log.info({ ms: Math.round(performance.now() - t0), drained }, 'stopped');
    return 0;
  }
}

function limitsOf(config: Config): InputLimits & { maxBodySize: number } {
  return { maxBatch: config.maxBatch, maxTextLength: config.maxTextLength, maxBodySize: config.maxBodySize };
}

function dispatchOptions(config: Config) {
  return {
    maxBatchSize: config.maxBatchSize,
    listen: config.listen,
    harakiri: config.harakiri,
    batchTimeoutMicros: config.batchTimeoutMicros,
    batchLingerMicros: config.batchLingerMicros,
    maxEnqueuedBatches: config.maxEnqueuedBatches,
  };
}

function recycleOptions(config: Config) {
  return { maxRequests: config.maxRequests, maxRequestsDelta: config.maxRequestsDelta, minLifetimeMs: config.minWorkerLifetime * 1000 };
}

async function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
