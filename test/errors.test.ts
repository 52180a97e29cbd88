import * as assert from 'assert';
import { errorMessage } from '../shared/src/errors';

describe('errorMessage (shared/src/errors.ts)', () => {
  it("gives an Error's message without its stack, anything else as String(value)", () => {
    assert.strictEqual(errorMessage(new TypeError('bad value')), 'bad value');
    assert.strictEqual(errorMessage('plain text'), 'plain text');
    assert.strictEqual(errorMessage(42), '42');
    assert.strictEqual(errorMessage(undefined), 'undefined');
    assert.strictEqual(errorMessage(null), 'null');
  });

  it('never throws, even for a value whose toString throws', () => {
    const hostile = { toString: () => { throw new Error('no'); } };
    assert.strictEqual(errorMessage(hostile), '[object Object]');
    assert.strictEqual(errorMessage(Object.create(null)), '[object Object]');
  });
});
