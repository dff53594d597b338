import { MlserveError } from '../../errors.js';

/**
 * Throws the one-line refusal for a Keras file mlserve will not serve: ERR_MODEL_UNSUPPORTED,
 * "<file>: <what> (<what to do instead>)". Distinct from ERR_MODEL_INVALID (a damaged file):
 * the file is fine, mlserve cannot serve it faithfully.
 */
export function refuse(file: string, problem: string, instead: string): never {
  throw new MlserveError('ERR_MODEL_UNSUPPORTED', `${file}: ${problem}; ${instead}`);
}
