/**
 * The process-fault handlers (server/src/process-errors.ts) on an event emitter standing in for `process` (emitting
 * on the real `process` would reach mocha's own handlers): what each policy registers and calls. The language server's
 * handlers on a real process are tested end to end in lsp-server-root.test.ts.
 */
import * as assert from 'assert';
import { EventEmitter } from 'events';
import { describeFault, handleProcessFaults, type ProcessFault } from '../server/src/process-errors';

describe('process-level error handlers', () => {
  it('keep-running (language server): both faults reported, nothing else done; removed by the returned function', () => {
    const proc = new EventEmitter();
    const seen: [ProcessFault, unknown][] = [];
    const remove = handleProcessFaults((f, e) => seen.push([f, e]), 'keep-running', proc);
    const rejected = new Error('rejected');
    proc.emit('unhandledRejection', rejected);
    proc.emit('uncaughtException', 'thrown as a string');
    assert.deepStrictEqual(seen, [
      ['unhandledRejection', rejected],
      ['uncaughtException', 'thrown as a string'],
    ]);
    remove();
    assert.deepStrictEqual([proc.listenerCount('unhandledRejection'), proc.listenerCount('uncaughtException')], [0, 0]);
  });

  it("node-default (analysis worker): only rejections are handled; an exception keeps Node's default", () => {
    const proc = new EventEmitter();
    handleProcessFaults(() => undefined, 'node-default', proc);
    assert.deepStrictEqual([proc.listenerCount('unhandledRejection'), proc.listenerCount('uncaughtException')], [1, 0]);
  });

  it('a stop function (serve) runs after the exception is reported; a report that throws is dropped', () => {
    const proc = new EventEmitter();
    const order: string[] = [];
    handleProcessFaults(
      (f) => {
        order.push(`report ${f}`);
        throw new Error('the log is gone');
      },
      (e) => order.push(`stop after ${(e as Error).message}`),
      proc,
    );
    proc.emit('uncaughtException', new Error('boom'));
    assert.deepStrictEqual(order, ['report uncaughtException', 'stop after boom']);
  });

  it("describes a fault with the error's stack, or its text", () => {
    const e = new Error('lost');
    assert.strictEqual(
      describeFault('unhandledRejection', e),
      `A promise was rejected and nothing caught it: ${e.stack}`,
    );
    assert.strictEqual(describeFault('uncaughtException', 42), 'An exception was thrown and nothing caught it: 42');
  });
});
