import { MlserveError } from '../errors.js';
import { QUARANTINE_GRACE_MS, type KillCause } from './quarantine.js';

/**
 * The error a request of a failed batch is answered with (src/master/quarantine.ts): the
 * culprit's own (502 for a crash or out of memory, 504 for harakiri), or, for a batch-mate whose
 * deadline came before it could run again, a 504 that says so. `slot` 0 is the quarantine thread.
 */
export function poisonError(verdict: { cause: KillCause; culprit: boolean }, slot: number, harakiri: number, cause: unknown): MlserveError {
  if (!verdict.culprit) {
    const grace = QUARANTINE_GRACE_MS / 1000;
    return new MlserveError(
      'ERR_HARAKIRI',
      `this request was in a batch whose worker died (${verdict.cause}) and could not run again within harakiri + ${grace} s (${harakiri + grace} s)`,
      { cause },
    );
  }
  if (verdict.cause === 'harakiri') {
    return new MlserveError('ERR_HARAKIRI', `the request ran longer than harakiri (${harakiri} s); its worker was killed`, { cause });
  }
  const what = slot === 0 ? 'the quarantine thread' : `worker ${slot}`;
  const how = verdict.cause === 'oom' ? 'ran out of memory' : 'died';
  return new MlserveError('ERR_WORKER_CRASHED', `${what} ${how} while predicting this request`, { cause });
}

/** Why a thread died under a batch, from the task's rejection: V8's heap limit, else a crash. */
export function killCause(err: unknown): KillCause {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'oom';
  return err instanceof Error && /out of memory/i.test(err.message) ? 'oom' : 'crash';
}
