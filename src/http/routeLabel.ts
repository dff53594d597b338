/**
 * The route a response is counted under in /metrics and the stats document. hono matches the
 * TF Serving and KServe V2 model routes with one wildcard each (`/v1/models/*`, `/v2/models/*`),
 * so its pattern alone would lump `:predict` with model status; this names the protocol route
 * from the path's shape, with `{name}` and `{version}` in place of the values (a bounded set of
 * labels whatever clients send). Pure; every other route keeps hono's pattern.
 *
 * @example
 * routeLabel('/v1/models/*', '/v1/models/reuters/versions/2:predict') // '/v1/models/{name}:predict'
 */
export function routeLabel(pattern: string, path: string): string {
  if (pattern === '/v1/models/*') {
    const verb = /(:predict|:classify|:regress|\/metadata)$/.exec(path);
    return `/v1/models/{name}${verb ? verb[1] : ''}`;
  }
  if (pattern === '/v2/models/*') {
    const verb = /\/(infer|ready)$/.exec(path);
    return `/v2/models/{name}${verb ? `/${verb[1]}` : ''}`;
  }
  return pattern;
}
