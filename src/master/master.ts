import { performance } from 'node:perf_hooks';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Config } from '../config/schema.js';
import { MlserveError } from '../errors.js';
import type { Logger } from '../log.js';
import { loadModel, type LoadedModel } from '../model/loadModel.js';
import { createApp } from '../http/app.js';
import { listenTcp, listenUnix, removeSocket } from '../http/listen.js';
import { Dispatcher } from './dispatcher.js';
import { Supervisor } from './supervisor.js';
import { Scaler } from './scaler.js';
import { createCheaper, initialWorkers } from '../cheaper/index.js';

/**
 * The master: loads and validates the model once, starts the worker threads, serves the HTTP
 * API on the Unix socket (and optionally TCP), and shuts down gracefully on SIGTERM/SIGINT.
 * Everything here is wiring and effects; decisions live in the modules it calls.
 */
export class Master {
  readonly config: Config;
  readonly log: Logger;
  readonly supervisor: Supervisor;
  readonly dispatcher: Dispatcher;
  /** The cheaper loop; null when scaling is off (`cheaper = 0`). */
  readonly scaler: Scaler | null;
  #model: LoadedModel;
  #cycle: NodeJS.Timeout | null = null;
  #servers: Server[] = [];
  #state: 'starting' | 'serving' | 'stopping' = 'starting';
  #stopped: Promise<number> | null = null;

  private constructor(config: Config, log: Logger, model: LoadedModel, testOps: boolean) {
    this.config = config;
    this.log = log;
    this.#model = model;
    this.supervisor = new Supervisor({
      size: config.workers,
      bundle: model.bundle,
      backend: config.backend,
      log,
      testOps,
      recycle: {
        maxRequests: config.maxRequests,
        maxRequestsDelta: config.maxRequestsDelta,
        minLifetimeMs: config.minWorkerLifetime * 1000,
      },
    });
    this.dispatcher = new Dispatcher({
      supervisor: this.supervisor,
      maxBatchSize: config.maxBatchSize,
      listen: config.listen,
      harakiri: config.harakiri,
      log,
    });
    const cheaper = createCheaper(config);
    this.scaler = cheaper
      ? new Scaler({ supervisor: this.supervisor, cheaper, backlog: () => this.dispatcher.queueLength, rss: () => null, log })
      : null;
  }

  /**
   * Boots a master: model first (fail fast, before any thread), then workers, then sockets.
   * Resolves once it serves; logs one `ready` line with what it serves and how long it took.
   */
  static async start(config: Config, log: Logger, options: { testOps?: boolean } = {}): Promise<Master> {
    const model = await loadModel(config.model, log);
    const master = new Master(config, log, model, options.testOps ?? false);
    await master.#boot();
    return master;
  }

  /** The model being served. */
  get model(): LoadedModel {
    return this.#model;
  }

  async #boot(): Promise<void> {
    const { config, log } = this;
    const initial = initialWorkers(config);
    log.info({ workers: initial, slots: config.workers, cheaper: config.cheaper, algo: this.scaler?.cheaper.algorithm ?? null }, `starting ${initial} workers`);
    await this.supervisor.start(initial);

    const app = createApp({
      submit: (texts) => this.dispatcher.submit(texts),
      labels: () => this.#model.bundle.labels,
      readiness: () => this.readiness(),
      addTx: (slot, bytes) => this.supervisor.slots.addTx(slot, bytes),
      closing: () => this.#state === 'stopping',
      limits: { maxBatch: config.maxBatch, maxTextLength: config.maxTextLength, maxBodySize: config.maxBodySize },
      log,
    });
    const makeServer = (): Server => {
      const server = createAdaptorServer({ fetch: app.fetch, autoCleanupIncoming: false }) as Server;
      // Longer than nginx's upstream keepalive_timeout, so nginx never reuses a connection we just closed (502).
      server.keepAliveTimeout = config.keepaliveTimeout * 1000;
      server.headersTimeout = config.keepaliveTimeout * 1000 + 1000;
      server.on('clientError', (err, socket) => {
        log.debug({ err: err.message }, 'client error');
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      });
      this.#servers.push(server);
      return server;
    };
    if (config.socket) await listenUnix(makeServer(), config.socket, config.chmodSocket);
    if (config.http) await listenTcp(makeServer(), config.http.host, config.http.port);
    this.#state = 'serving';
    this.#cycle = setInterval(() => this.#tick(), config.checkInterval * 1000);
    this.#cycle.unref();
    const { bundle } = this.#model;
    log.info(
      {
        model: { name: bundle.name, version: bundle.version, accuracy: bundle.metadata['testAccuracy'] ?? null },
        backend: this.supervisor.backend,
        workers: initial,
        slots: config.workers,
        socket: config.socket,
        http: config.http ? `${config.http.host}:${config.http.port}` : null,
        startupMs: Math.round(performance.now()),
      },
      'ready',
    );
  }

  /** The master's check-interval cycle: the cheaper loop (more checks join it here). */
  #tick(): void {
    if (this.#state !== 'serving') return;
    try {
      this.scaler?.tick();
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'master cycle failed');
    }
  }

  /**
   * An operator's `+n` / `-n` workers (SIGTTIN / SIGTTOU, as Gunicorn): with `manual` it moves
   * the target; with another algorithm it acts once and the algorithm takes over again.
   */
  adjustWorkers(delta: number): void {
    if (!this.scaler) {
      this.log.warn({ delta }, 'scaling is off (cheaper = 0): all workers already run');
      return;
    }
    this.log.info({ delta }, `operator asked for ${delta > 0 ? '+' : ''}${delta} worker(s)`);
    this.scaler.cheaper.adjust(delta);
  }

  /** True from the start of shutdown: responses then close their connection. */
  get stopping(): boolean {
    return this.#state === 'stopping';
  }

  /** What /readyz answers. */
  readiness(): { ready: boolean; reason?: string; [k: string]: unknown } {
    const c = this.supervisor.slots.counts();
    const { bundle } = this.#model;
    const info = {
      model: { name: bundle.name, version: bundle.version, backend: this.supervisor.backend },
      workers: { total: this.supervisor.slots.size, ready: c.idle + c.busy, idle: c.idle, busy: c.busy, starting: c.starting, cheap: c.cheap },
      queue: this.dispatcher.queueLength,
    };
    if (this.#state === 'stopping') return { ready: false, reason: 'shutting down', ...info };
    if (c.idle + c.busy === 0) return { ready: false, reason: 'no worker is ready', ...info };
    return { ready: true, ...info };
  }

  /**
   * Graceful shutdown: stop accepting, let queued and running requests finish within
   * `shutdown-timeout`, end the threads, remove the socket (vacuum). Resolves with the exit code.
   */
  stop(reason: string): Promise<number> {
    this.#stopped ??= this.#shutdown(reason);
    return this.#stopped;
  }

  async #shutdown(reason: string): Promise<number> {
    const { config, log } = this;
    const t0 = performance.now();
    this.#state = 'stopping';
    if (this.#cycle) clearInterval(this.#cycle);
    log.info({ reason, queued: this.dispatcher.queueLength, inFlight: this.dispatcher.inFlight }, 'shutting down');
    // No new connections; idle keep-alive ones close now, busy ones after their response
    // (answers carry `Connection: close` from now on). Requests already received are served.
    const closed = Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const s of this.#servers) s.closeIdleConnections();
    const graceMs = config.shutdownTimeout * 1000;
    const drained = await withTimeout(Promise.all([closed, this.dispatcher.drained()]), graceMs);
    this.dispatcher.close();
    if (!drained) {
      log.warn({ queued: this.dispatcher.queueLength, inFlight: this.dispatcher.inFlight }, 'shutdown-timeout reached, dropping what is left');
      this.dispatcher.abortQueued(new MlserveError('ERR_SHUTTING_DOWN', 'the server shut down before this request ran', { status: 503 }));
      for (const s of this.#servers) s.closeAllConnections();
    }
    await this.supervisor.stop(Math.max(100, graceMs - (performance.now() - t0)));
    if (config.vacuum && config.socket) {
      await removeSocket(config.socket).catch((err: Error) => log.warn({ err: err.message }, 'could not remove the socket'));
    }
    log.info({ ms: Math.round(performance.now() - t0), drained }, 'stopped');
    return 0;
  }
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
