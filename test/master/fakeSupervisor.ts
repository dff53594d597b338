import { createLogger } from '../../src/log.js';
import type { ModelBundle } from '../../src/model/bundle.js';
import { Supervisor, type SupervisorOptions } from '../../src/master/supervisor.js';
import { fakeThreads, type FakeBehaviour } from '../fixtures/fakeThread.js';
import type { ThreadSpec } from '../../src/master/predictThread.js';
import { FakeClock } from '../helpers/fakeClock.js';

/** Fake threads carry no model: the supervisor only passes the bundle on in each thread's init. */
export const fakeBundle = {
  name: 'fake',
  version: 1,
  labels: ['earn', 'grain'],
  tokenizerJson: '{}',
  preprocessing: null,
  inputWidth: 4,
  outputWidth: 2,
  decoding: { kind: 'softmax', activation: null, threshold: 0.5 },
} as unknown as ModelBundle;

/** A Supervisor on fake threads and a fake clock, with a silent log. */
export function fakeSupervisor(size: number, plan?: (n: number, spec: ThreadSpec) => FakeBehaviour, options: Partial<SupervisorOptions> = {}) {
  const clock = new FakeClock();
  const threads = fakeThreads(plan);
  const supervisor = new Supervisor({
    size,
    bundle: fakeBundle,
    backend: 'cpu',
    fastPath: true,
    log: createLogger({ level: 'silent' }),
    threads: threads.factory,
    clock,
    ...options,
  });
  return { supervisor, clock, made: threads.made };
}
