import { MlserveError } from '../errors.js';

/** Where SageMaker unpacks model.tar.gz for a hosting container. */
export const SAGEMAKER_MODEL_DIR = '/opt/ml/model';

/**
 * `mlserve serve`, the command SageMaker runs (`docker run IMAGE serve`): the options its
 * inference container contract implies, as CLI flags placed before the user's own (which
 * therefore win). Pure: the environment in, flags out.
 *
 * - model: `SM_MODEL_DIR`, else /opt/ml/model (version subdirectories inside, as SageMaker's
 *   TF Serving containers expect: model.tar.gz holds `1/`, `2/`, ...)
 * - listener: `0.0.0.0:${SAGEMAKER_BIND_TO_PORT:-8080}` (the port is SageMaker's; the bind
 *   variable is how multi-container endpoints move it)
 * - `SAGEMAKER_MODEL_SERVER_WORKERS` -> `workers`, `SAGEMAKER_MODEL_SERVER_TIMEOUT` (s) -> `harakiri`
 * - the Unix socket moves to /tmp, since a container's working directory may not be writable
 *
 * Throws ERR_CLI_ARGS naming the variable when one is not a positive integer.
 *
 * @example
 * sagemakerArgs({ SAGEMAKER_MODEL_SERVER_WORKERS: '4' })
 * // ['--model', '/opt/ml/model', '--http', '0.0.0.0:8080', '--socket', '/tmp/mlserve.sock', '--workers', '4']
 */
export function sagemakerArgs(env: NodeJS.ProcessEnv): string[] {
  const model = env['SM_MODEL_DIR'] || SAGEMAKER_MODEL_DIR;
  const port = positiveInt(env, 'SAGEMAKER_BIND_TO_PORT', 65535) ?? 8080;
  const args = ['--model', model, '--http', `0.0.0.0:${port}`, '--socket', '/tmp/mlserve.sock'];
  const workers = positiveInt(env, 'SAGEMAKER_MODEL_SERVER_WORKERS', 256);
  if (workers !== undefined) args.push('--workers', String(workers));
  const timeout = positiveInt(env, 'SAGEMAKER_MODEL_SERVER_TIMEOUT', Number.MAX_SAFE_INTEGER);
  if (timeout !== undefined) args.push('--harakiri', String(timeout));
  return args;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new MlserveError('ERR_CLI_ARGS', `${name} must be an integer from 1 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
