import assert from 'node:assert/strict';
import { MlserveError } from '../../src/errors.js';

/**
 * An `assert.rejects` / `assert.throws` validator: an MlserveError with `code`, a message matching
 * `pattern`, on one line (refusals are one line naming the file, layer or weight).
 *
 * @example await assert.rejects(readKerasH5(bytes, 'm.h5'), oneLineError('ERR_MODEL_INVALID', /m\.h5: /));
 */
export function oneLineError(code: string, pattern: RegExp): (err: unknown) => true {
  return (err: unknown) => {
    assert.ok(err instanceof MlserveError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  };
}
