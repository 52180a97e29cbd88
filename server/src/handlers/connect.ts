/**
 * Language-server handlers of the Spark Connect requests (declared in shared/src/protocol.ts): glue between the
 * connection and `connect/` (client, sessions, SQL statement finder). Errors become `ResponseError`s
 * (RequestErrorCodes.connectFailed) whose data carries the failure's kind, Spark's error class, SQLSTATE and SQL range,
 * from which the client words its advice; the token is never logged.
 */
import { ResponseError } from 'vscode-languageserver/node';
import {
  ConnectExplainRequest,
  ConnectQueryProgressNotification,
  ConnectRunQueryRequest,
  ConnectStatusRequest,
  RequestErrorCodes,
  SqlStatementsRequest,
  type ConnectErrorData,
} from '../../../shared/src/protocol';
import type { QueryResultPayload } from '../../../shared/src/spark-query';
import { redactToken } from '../connect/connection-string';
import { SparkConnectError, sqlErrorRange } from '../connect/errors';
import { ConnectSessions } from '../connect/sessions';
import { sqlNamesView, sqlStatementsInPython, sqlStatementsInSql } from '../connect/sql-statements';
import type { ServerRoot } from '../server-root';
import { errorMessage } from '../../../shared/src/errors';

/**
 * Registers the Spark Connect handlers on the root's connection; the root releases the sessions on shutdown.
 */
export function registerConnectHandlers(root: ServerRoot): void {
  const { connection, log } = root;
  const sessions = new ConnectSessions((m) => log.debug(m));
  root.onDispose(() => sessions.dispose());

  const fail = (e: unknown, sql?: string): ResponseError<ConnectErrorData> => {
    if (e instanceof SparkConnectError) {
      const range = sql !== undefined ? sqlErrorRange(e, sql) : undefined;
      return new ResponseError<ConnectErrorData>(RequestErrorCodes.connectFailed, e.message, {
        kind: e.kind,
        ...(e.details.tokenGiven !== undefined ? { tokenGiven: e.details.tokenGiven } : {}),
        ...(e.errorClass ? { errorClass: e.errorClass } : {}),
        ...(e.details.sqlState ? { sqlState: e.details.sqlState } : {}),
        ...(range ? { sqlRange: range } : {}),
      });
    }
    return new ResponseError<ConnectErrorData>(RequestErrorCodes.connectFailed, errorMessage(e), { kind: 'protocol' });
  };

  connection.onRequest(ConnectRunQueryRequest.type, async (p, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    try {
      const client = sessions.get(p.target);
      log.info(`Spark Connect ${redactToken(p.target.url)}: running query ${p.queryId}`);
      // Only the views this SQL names: a view whose database is down or whose password is not set yet must not break
      // queries that do not read it.
      for (const view of (p.jdbcViews ?? []).filter((v) => sqlNamesView(p.sql, v.name))) {
        if (await sessions.registerJdbcView(p.target, view))
          log.info(`Spark Connect: registered JDBC view ${view.name} (${view.dbtable})`);
      }
      const r = await client.executeSql(p.sql, {
        maxRows: p.maxRows,
        maxBytes: p.maxBytes,
        signal: abort.signal,
        onProgress: (g) =>
          void connection.sendNotification(ConnectQueryProgressNotification.type, {
            queryId: p.queryId,
            stages: g.stages.length,
            stagesDone: g.stages.filter((s) => s.done).length,
            tasksDone: g.tasksDone,
            tasksTotal: g.tasksTotal,
            rowsReceived: g.rowsReceived,
          }),
      });
      const appId = await sessions.appId(p.target);
      const payload: QueryResultPayload = {
        columns: r.columns,
        arrowBase64: r.batches.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')),
        rowCount: r.rowCount,
        ...(r.truncated ? { truncated: r.truncated } : {}),
        elapsedMs: r.elapsedMs,
        operationId: r.operationId,
        ...(appId ? { appId } : {}),
      };
      log.info(
        `Spark Connect query ${p.queryId}: ${r.rowCount} rows (${r.arrowBytes} bytes of Arrow) in ${r.elapsedMs.toFixed(0)} ms`,
      );
      return payload;
    } catch (e) {
      log.info(`Spark Connect query ${p.queryId} failed: ${errorMessage(e).split('\n')[0]}`);
      return fail(e, p.sql);
    }
  });

  connection.onRequest(ConnectExplainRequest.type, async (p) => {
    try {
      return { plan: await sessions.get(p.target).explain(p.sql, p.mode) };
    } catch (e) {
      return fail(e, p.sql);
    }
  });

  connection.onRequest(ConnectStatusRequest.type, async (p): Promise<ConnectStatusRequest.Result> => {
    try {
      const sparkVersion = await sessions.get(p.target).sparkVersion(15_000);
      const appId = await sessions.appId(p.target);
      return { ok: true, sparkVersion, ...(appId ? { appId } : {}) };
    } catch (e) {
      return e instanceof SparkConnectError
        ? {
            ok: false,
            reason: e.message,
            kind: e.kind,
            ...(e.details.tokenGiven !== undefined ? { tokenGiven: e.details.tokenGiven } : {}),
          }
        : { ok: false, reason: errorMessage(e) };
    }
  });

  connection.onRequest(SqlStatementsRequest.type, (p) => {
    try {
      const statements = p.languageId === 'python' ? sqlStatementsInPython(p.text) : sqlStatementsInSql(p.text);
      return { statements };
    } catch (e) {
      log.warn(`Finding SQL statements failed: ${errorMessage(e)}`);
      return { statements: [] };
    }
  });
}
