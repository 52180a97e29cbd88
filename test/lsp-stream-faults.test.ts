/**
 * A broken LSP stream and the LSP lifecycle (issue 12, item 10), against the BUILT server (server/out/server.js)
 * over stdio with raw bytes: framing errors (no Content-Length, a wrong one, garbage) are dropped or recovered and
 * the server keeps answering; requests before `initialize` get -32002, a second `initialize` -32600, requests after
 * `shutdown` -32600; `exit` ends the process with 0 after `shutdown`, 1 without, and a closed stdin ends it with a
 * logged reason. Expected codes: LSP specification 3.17, "Lifecycle Messages" and "Base Protocol".
 * FrameDecoder (server/src/transport/framing.ts) is also tested alone on byte sequences.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FrameDecoder, FrameEvent } from '../server/src/transport/framing';
import { LifecycleGate } from '../server/src/transport/lifecycle-gate';
import { frame, initializeParams, LspServerProcess, ServerMessage } from './helpers/lsp-server-process';

const SERVER_NOT_INITIALIZED = -32002;
const INVALID_REQUEST = -32600;

/** A spark-defaults.conf document: line 1 sets spark.executor.memory to 4g (hovered below). */
const CONF_URI = 'untitled:spark-defaults.conf';
const CONF_TEXT = '# defaults\nspark.executor.memory 4g\n';

function hoverRequest(id: number): object {
  return {
    jsonrpc: '2.0',
    id,
    method: 'textDocument/hover',
    params: { textDocument: { uri: CONF_URI }, position: { line: 1, character: 2 } },
  };
}

function hoverValue(m: ServerMessage): string {
  assert.strictEqual(m.error, undefined, JSON.stringify(m.error));
  return ((m.result as { contents: { value: string } } | null)?.contents.value ?? '').split('\n')[0];
}

/** The first line of the hover on spark.executor.memory in CONF_TEXT, as the server writes it (features/hover.ts). */
const EXPECTED_HOVER = '**spark.executor.memory** = `4g`';

describe('LSP stream faults and lifecycle (built server over stdio, raw bytes)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-lsp-faults-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('lifecycle', () => {
    let server: LspServerProcess;
    before(() => {
      server = new LspServerProcess();
    });
    after(() => server.stop());

    it('answers a request before initialize with -32002 (ServerNotInitialized) and drops a notification', async () => {
      const early = await server.request(1, 'textDocument/hover', {
        textDocument: { uri: CONF_URI },
        position: { line: 1, character: 2 },
      });
      assert.strictEqual(early.error?.code, SERVER_NOT_INITIALIZED);
      // A didOpen before initialize is dropped: the document is unknown afterwards (hover null, not the setting).
      server.write(
        frame({
          jsonrpc: '2.0',
          method: 'textDocument/didOpen',
          params: { textDocument: { uri: CONF_URI, languageId: 'spark-defaults', version: 1, text: CONF_TEXT } },
        }),
      );
      const init = await server.request(2, 'initialize', initializeParams(path.join(tmp, 'lifecycle.db')));
      assert.strictEqual(
        (init.result as { capabilities: { hoverProvider: boolean } }).capabilities.hoverProvider,
        true,
      );
      server.write(frame({ jsonrpc: '2.0', method: 'initialized', params: {} }));
      const hover = await server.request(3, 'textDocument/hover', {
        textDocument: { uri: CONF_URI },
        position: { line: 1, character: 2 },
      });
      assert.strictEqual(hover.result, null);
    });

    it('rejects a second initialize with -32600 (InvalidRequest) and keeps working', async () => {
      const again = await server.request(4, 'initialize', initializeParams(path.join(tmp, 'other.db')));
      assert.strictEqual(again.error?.code, INVALID_REQUEST);
      server.write(
        frame({
          jsonrpc: '2.0',
          method: 'textDocument/didOpen',
          params: { textDocument: { uri: CONF_URI, languageId: 'spark-defaults', version: 1, text: CONF_TEXT } },
        }),
      );
      assert.strictEqual(
        hoverValue(
          await server.request(5, 'textDocument/hover', {
            textDocument: { uri: CONF_URI },
            position: { line: 1, character: 2 },
          }),
        ),
        EXPECTED_HOVER,
      );
    });

    it('answers shutdown with null, then every request with -32600, and exits with 0 on exit', async () => {
      const down = await server.request(6, 'shutdown');
      assert.deepStrictEqual([down.result, down.error], [null, undefined]);
      const after = await server.request(7, 'textDocument/hover', {
        textDocument: { uri: CONF_URI },
        position: { line: 1, character: 2 },
      });
      assert.strictEqual(after.error?.code, INVALID_REQUEST);
      server.write(frame({ jsonrpc: '2.0', method: 'exit' }));
      assert.strictEqual(await server.exited, 0);
    });

    it('exits with 1 on exit without shutdown', async () => {
      const s = new LspServerProcess();
      try {
        await s.request(1, 'initialize', initializeParams(path.join(tmp, 'exit1.db')));
        s.write(frame({ jsonrpc: '2.0', method: 'exit' }));
        assert.strictEqual(await s.exited, 1);
      } finally {
        await s.stop();
      }
    });

    it('exits with 1 and says why when the client closes stdin without shutdown', async () => {
      const s = new LspServerProcess();
      try {
        await s.request(1, 'initialize', initializeParams(path.join(tmp, 'eof.db')));
        s.closeInput();
        assert.strictEqual(await s.exited, 1);
        assert.match(s.stderr.join(''), /Language server exits \(code 1\): the client closed stdin/);
      } finally {
        await s.stop();
      }
    });
  });

  describe('framing errors', () => {
    let server: LspServerProcess;
    before(async () => {
      server = new LspServerProcess();
      await server.request(1, 'initialize', initializeParams(path.join(tmp, 'framing.db')));
      server.write(frame({ jsonrpc: '2.0', method: 'initialized', params: {} }));
      server.write(
        frame({
          jsonrpc: '2.0',
          method: 'textDocument/didOpen',
          params: { textDocument: { uri: CONF_URI, languageId: 'spark-defaults', version: 1, text: CONF_TEXT } },
        }),
      );
      assert.strictEqual(
        hoverValue(
          await server.request(2, 'textDocument/hover', {
            textDocument: { uri: CONF_URI },
            position: { line: 1, character: 2 },
          }),
        ),
        EXPECTED_HOVER,
      );
    });
    after(() => server.stop());

    /** The log lines (window/logMessage) about framing errors so far. */
    const framingLog = () =>
      server.messages.filter(
        (m) => m.method === 'window/logMessage' && /LSP framing error/.test((m.params as { message: string }).message),
      ).length;

    it('drops a message without Content-Length and answers the next one', async () => {
      const before = framingLog();
      const body = JSON.stringify(hoverRequest(10));
      server.write(`Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${body}`);
      server.write(frame(hoverRequest(11)));
      assert.strictEqual(hoverValue(await server.response(11)), EXPECTED_HOVER);
      assert.ok(!server.messages.some((m) => m.id === 10), 'the message without a header is dropped, not guessed');
      await server.waitFor('a logged framing error', () => framingLog() > before);
      assert.match(server.stderr.join(''), /LSP framing error: skipped \d+ byte\(s\)/);
    });

    it('reads a message whose Content-Length is too large, and the next one', async () => {
      const body = Buffer.from(JSON.stringify(hoverRequest(12)), 'utf8');
      server.write(
        Buffer.concat([Buffer.from(`Content-Length: ${body.length + 40}\r\n\r\n`), body, frame(hoverRequest(13))]),
      );
      assert.strictEqual(hoverValue(await server.response(12)), EXPECTED_HOVER);
      assert.strictEqual(hoverValue(await server.response(13)), EXPECTED_HOVER);
      assert.match(
        server.stderr.join(''),
        new RegExp(`Content-Length ${body.length + 40} did not match the message \\(${body.length} bytes\\)`),
      );
    });

    it('reads a message whose Content-Length is too small, and the next one', async () => {
      const body = Buffer.from(JSON.stringify(hoverRequest(14)), 'utf8');
      server.write(
        Buffer.concat([Buffer.from(`Content-Length: ${body.length - 10}\r\n\r\n`), body, frame(hoverRequest(15))]),
      );
      assert.strictEqual(hoverValue(await server.response(14)), EXPECTED_HOVER);
      assert.strictEqual(hoverValue(await server.response(15)), EXPECTED_HOVER);
      assert.match(
        server.stderr.join(''),
        new RegExp(`Content-Length ${body.length - 10} did not match the message \\(${body.length} bytes\\)`),
      );
    });

    it('skips garbage bytes and a non-numeric Content-Length, and answers what follows', async () => {
      server.write(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0d, 0x0a, 0x0d, 0x0a, 0x7b, 0x7d]));
      server.write('Content-Length: twelve\r\n\r\n{"jsonrpc":"2.0","id":16,"method":"shutdown"}');
      server.write(frame(hoverRequest(17)));
      assert.strictEqual(hoverValue(await server.response(17)), EXPECTED_HOVER);
      assert.ok(!server.messages.some((m) => m.id === 16), 'the shutdown behind a bad header was not obeyed');
      assert.match(server.stderr.join(''), /Content-Length "twelve" is not a number/);
    });

    it('reads a frame written one byte at a time', async () => {
      const bytes = frame(hoverRequest(18));
      for (let i = 0; i < bytes.length; i++) server.write(bytes.subarray(i, i + 1));
      assert.strictEqual(hoverValue(await server.response(18)), EXPECTED_HOVER);
    });
  });

  describe('LifecycleGate', () => {
    it('follows initialize, a failed initialize, a repeated id and shutdown', () => {
      const replies: { id: number | string | null; code: number }[] = [];
      const gate = new LifecycleGate((r) => replies.push({ id: r.id, code: r.error!.code }));
      assert.strictEqual(gate.admit({ jsonrpc: '2.0', id: 1, method: 'textDocument/hover' } as never), false);
      assert.strictEqual(gate.admit({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } } as never), false);
      assert.strictEqual(gate.admit({ jsonrpc: '2.0', id: 2, method: 'initialize' } as never), true);
      // The same id again while the first is pending: refused, and the refusal is no answer to the first.
      assert.strictEqual(gate.admit({ jsonrpc: '2.0', id: 2, method: 'initialize' } as never), false);
      assert.strictEqual(gate.current, 'initializing');
      gate.sent({ jsonrpc: '2.0', id: 2, error: { code: -32603, message: 'failed' } } as never);
      assert.strictEqual(gate.current, 'uninitialized', 'a failed initialize may be retried');
      assert.strictEqual(gate.admit({ jsonrpc: '2.0', id: 3, method: 'initialize' } as never), true);
      gate.sent({ jsonrpc: '2.0', id: 3, result: { capabilities: {} } } as never);
      assert.strictEqual(gate.current, 'running');
      assert.strictEqual(gate.admit({ jsonrpc: '2.0', id: 4, method: 'shutdown' } as never), true);
      assert.strictEqual(gate.admit({ jsonrpc: '2.0', method: 'textDocument/didChange', params: {} } as never), false);
      assert.strictEqual(gate.admit({ jsonrpc: '2.0', id: 5, method: 'shutdown' } as never), false);
      assert.strictEqual(gate.admit({ jsonrpc: '2.0', method: 'exit' } as never), true);
      assert.deepStrictEqual(replies, [
        { id: 1, code: SERVER_NOT_INITIALIZED },
        { id: 2, code: INVALID_REQUEST },
        { id: 5, code: INVALID_REQUEST },
      ]);
    });
  });

  describe('FrameDecoder', () => {
    const messages = (events: FrameEvent[]) =>
      events.filter((e) => e.kind === 'message').map((e) => (e as { message: { id: number } }).message.id);

    it('decodes three messages fed in every chunk size, with multi-byte UTF-8 split across chunks', () => {
      const stream = Buffer.concat(
        [1, 2, 3].map((id) => frame({ jsonrpc: '2.0', id, method: 'x', params: { text: 'ü 😀 Content-Length: 5' } })),
      );
      for (const size of [1, 2, 7, 64, stream.length]) {
        const d = new FrameDecoder();
        const events: FrameEvent[] = [];
        for (let i = 0; i < stream.length; i += size) events.push(...d.push(stream.subarray(i, i + size)));
        assert.deepStrictEqual(messages(events), [1, 2, 3], `chunk size ${size}`);
        assert.ok(
          events.every((e) => e.kind === 'message'),
          `no error at chunk size ${size}`,
        );
        assert.strictEqual(d.bufferedBytes, 0);
      }
    });

    it('accepts a Content-Type header before Content-Length', () => {
      const body = '{"jsonrpc":"2.0","id":4,"method":"x"}';
      const events = new FrameDecoder().push(
        Buffer.from(
          `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        ),
      );
      assert.deepStrictEqual(events, [{ kind: 'message', message: { jsonrpc: '2.0', id: 4, method: 'x' } }]);
    });

    it('refuses a Content-Length over its limit and reads the next message', () => {
      const d = new FrameDecoder(1000);
      const events = d.push(
        Buffer.concat([
          Buffer.from('Content-Length: 5000000\r\n\r\n{"jsonrpc":"2.0"'),
          frame({ jsonrpc: '2.0', id: 5, method: 'x' }),
        ]),
      );
      assert.deepStrictEqual(messages(events), [5]);
      assert.deepStrictEqual(events[0], {
        kind: 'error',
        reason: 'dropped a message with a bad header: Content-Length 5000000 is over the 1000-byte limit',
      });
    });

    it('finds the message in a body whose Content-Length is too large while the rest is still to come', () => {
      const d = new FrameDecoder();
      const body = '{"jsonrpc":"2.0","id":6,"method":"x"}';
      assert.deepStrictEqual(d.push(Buffer.from(`Content-Length: 9999\r\n\r\n${body}`)), []);
      const events = d.push(frame({ jsonrpc: '2.0', id: 7, method: 'x' }));
      assert.deepStrictEqual(messages(events), [6, 7]);
      assert.strictEqual(
        (events[0] as { reason: string }).reason,
        `Content-Length 9999 did not match the message (${body.length} bytes): read it from its JSON`,
      );
    });

    it('keeps at most a short tail of a stream of garbage', () => {
      const d = new FrameDecoder();
      const events = d.push(Buffer.alloc(100_000, 0x61));
      assert.strictEqual(events.length, 1);
      assert.match(
        (events[0] as { reason: string }).reason,
        /^skipped 99936 byte\(s\) that are not an LSP message header/,
      );
      assert.strictEqual(d.bufferedBytes, 64);
    });
  });
});
