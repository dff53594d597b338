import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

// Probes and scrapes are not load: an HPA on in-flight requests must not count them.
const notLoad = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Counts the requests being answered right now (received, response not yet finished or the
 * connection gone), probes and /metrics excluded: the `mlserve_requests_in_flight` gauge an
 * HPA custom metric reads (deploy/k8s/overlays/hpa-inflight).
 *
 * @example
 * const inFlight = new InFlight();
 * createServer(inFlight.wrap(listener)); inFlight.count // 0
 */
export class InFlight {
  #count = 0;
  #idle: Array<() => void> = [];

  /** Requests being answered now. */
  get count(): number {
    return this.#count;
  }

  /** A request answered outside an HTTP listener (the uwsgi direct lane) started. */
  enter(): void {
    this.#count++;
  }

  /** That request's answer went out, or it was given to a listener that counts it itself. */
  leave(): void {
    if (--this.#count === 0) this.#settle();
  }

  /**
   * Resolves once no request is being answered, or after `timeoutMs` (whichever is first): at
   * shutdown, the requests just answered 503 write it before their sockets are cut.
   */
  idle(timeoutMs: number): Promise<void> {
    if (this.#count <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.#idle;
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i !== -1) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  #settle(): void {
    for (const done of this.#idle.splice(0)) done();
  }

  /** `listener`, counting every request it is given. */
  wrap(listener: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      const q = req.url?.indexOf('?') ?? -1;
      const path = q === -1 ? req.url : req.url?.slice(0, q);
      if (path !== undefined && notLoad.has(path)) return listener(req, res);
      this.#count++;
      // 'close' fires once, after 'finish' or when the client goes away first.
      res.once('close', () => this.leave());
      return listener(req, res);
    };
  }
}
