import * as assert from 'assert';
import { asError, errorMessage } from '../shared/src/errors';

describe('errorMessage and asError (shared/src/errors.ts)', () => {
  it("gives an Error's message without its stack, anything else as String(value)", () => {
    assert.strictEqual(errorMessage(new TypeError('bad value')), 'bad value');
    assert.strictEqual(errorMessage('plain text'), 'plain text');
    assert.strictEqual(errorMessage(42), '42');
    assert.strictEqual(errorMessage(undefined), 'undefined');
    assert.strictEqual(errorMessage(null), 'null');
  });

  it('never throws, even for a value whose toString throws', () => {
    const hostile = {
      toString: () => {
        throw new Error('no');
      },
    };
    assert.strictEqual(errorMessage(hostile), '[object Object]');
    assert.strictEqual(errorMessage(Object.create(null)), '[object Object]');
  });

  it('asError keeps an Error as it is and wraps anything else in an Error with its errorMessage', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    assert.strictEqual(asError(abort), abort);
    const typed = new TypeError('bad value');
    assert.strictEqual(asError(typed), typed);
    const wrapped = asError('timeout');
    assert.ok(wrapped instanceof Error);
    assert.strictEqual(wrapped.message, 'timeout');
    assert.strictEqual(asError(undefined).message, 'undefined');
  });
});
