import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeLabel } from '../../src/http/routeLabel.js';

// Regression: every TF Serving and KServe V2 model route was counted as '/v1/models/*' or
// '/v2/models/*', so /metrics could not tell :predict from a status poll.
test('routeLabel names each protocol route, with the model name and version left out', () => {
  const cases: [string, string, string][] = [
    ['/v1/models/*', '/v1/models/reuters', '/v1/models/{name}'],
    ['/v1/models/*', '/v1/models/reuters/versions/3', '/v1/models/{name}'],
    ['/v1/models/*', '/v1/models/reuters/metadata', '/v1/models/{name}/metadata'],
    ['/v1/models/*', '/v1/models/reuters:predict', '/v1/models/{name}:predict'],
    ['/v1/models/*', '/v1/models/reuters/versions/1:classify', '/v1/models/{name}:classify'],
    ['/v1/models/*', '/v1/models/reuters:regress', '/v1/models/{name}:regress'],
    ['/v2/models/*', '/v2/models/reuters', '/v2/models/{name}'],
    ['/v2/models/*', '/v2/models/reuters/versions/1/infer', '/v2/models/{name}/infer'],
    ['/v2/models/*', '/v2/models/reuters/ready', '/v2/models/{name}/ready'],
    ['/invocations', '/invocations', '/invocations'],
    ['/predict', '/predict', '/predict'],
  ];
  for (const [pattern, path, label] of cases) assert.equal(routeLabel(pattern, path), label, path);
});
