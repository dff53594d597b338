import { createLogger } from '../../src/log.js';
import type { AppDeps } from '../../src/http/app.js';
import type { RequestResult } from '../../src/master/dispatcher.js';
import { inputRows, type ModelInput } from '../../src/model/modelInput.js';

/**
 * AppDeps for in-process tests of the HTTP layer (hono's `app.request`, or a node server on
 * port 0): `submit` answers class 1 ("grain") for every text unless the test replaces it.
 */
export function appDeps(overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    submit: async (input: ModelInput): Promise<RequestResult> => ({
      classes: new Int32Array(inputRows(input)).fill(1),
      probs: new Float32Array(inputRows(input)).fill(0.75),
      slot: 1,
      labels: ['earn', 'grain'],
    }),
    readiness: () => ({ ready: true }),
    addTx: () => {},
    closing: () => false,
    limits: { maxBatch: 4, maxTextLength: 100, maxBodySize: 1024 },
    log: createLogger({ level: 'silent' }),
    ...overrides,
  };
}
