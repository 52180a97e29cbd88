/**
 * Spark Connect connection strings, as Spark defines them (`connector/connect/docs/client-connection-string.md`,
 * and pyspark's `ChannelBuilder`): `sc://host[:port]/;param=value;param=value`, default port 15002, parameters
 * `token`, `use_ssl`, `user_id`, `user_agent`, `session_id` (values URL-encoded). A token means TLS unless the
 * host is `localhost` (pyspark's rule: a bearer token in plain text only over the local machine) or `use_ssl=false`
 * is given.
 */

/** A parsed `sc://` connection string. */
export interface ConnectionString {
  host: string;
  /** TCP port, 15002 when not given. */
  port: number;
  /** Bearer token, or undefined. */
  token?: string;
  /** Whether to use TLS: `use_ssl=true`, or a token to a host other than localhost. */
  useSsl: boolean;
  userId?: string;
  userAgent?: string;
  /** A UUID to reuse a server-side session, or undefined for a new one. */
  sessionId?: string;
  /** Parameters Spark does not define (kept, sent nowhere). */
  other: Record<string, string>;
}

/** Default Spark Connect port (`spark.connect.grpc.binding.port`). */
export const DEFAULT_CONNECT_PORT = 15002;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Parses an `sc://` URL.
 * @throws Error naming the part that is wrong (scheme, host, port, a parameter without `=`, a session_id
 *   that is not a UUID, use_ssl not true/false).
 */
export function parseConnectionString(url: string): ConnectionString {
  const text = url.trim();
  if (!text.startsWith('sc://'))
    throw new Error(`Spark Connect URL must start with sc:// (got "${redactToken(text)}")`);
  const rest = text.slice('sc://'.length);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  let paramText = slash < 0 ? '' : rest.slice(slash + 1);
  if (paramText.startsWith(';')) paramText = paramText.slice(1);
  else if (paramText !== '')
    throw new Error(
      `Spark Connect URL has a path "${paramText.split(';')[0]}"; parameters follow "/;" (sc://host:15002/;token=...)`,
    );
  let port = DEFAULT_CONNECT_PORT;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d*))?$/.exec(authority);
  if (!m) throw new Error(`Spark Connect URL has no host: "${redactToken(text)}"`);
  const host = m[1].replace(/^\[|\]$/g, '');
  if (m[2] !== undefined) {
    port = Number(m[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535 || m[2] === '')
      throw new Error(`Spark Connect URL has an invalid port "${m[2]}"`);
  }
  const params: Record<string, string> = {};
  for (const part of paramText.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0)
      throw new Error(`Spark Connect URL parameter "${part.startsWith('token') ? 'token' : part}" has no "=value"`);
    params[decodeURIComponent(part.slice(0, eq))] = decodeURIComponent(part.slice(eq + 1));
  }
  const { token, use_ssl, user_id, user_agent, session_id, ...other } = params;
  if (use_ssl !== undefined && !/^(true|false)$/i.test(use_ssl))
    throw new Error(`Spark Connect URL: use_ssl must be true or false (got "${use_ssl}")`);
  if (session_id !== undefined && !UUID.test(session_id))
    throw new Error(`Spark Connect URL: session_id must be a UUID (got "${session_id}")`);
  const sslParam = use_ssl === undefined ? undefined : use_ssl.toLowerCase() === 'true';
  const useSsl = sslParam ?? (token !== undefined && host !== 'localhost');
  return { host, port, token, useSsl, userId: user_id, userAgent: user_agent, sessionId: session_id, other };
}

/** The URL with any `token=` value replaced by `***` (for messages and logs). */
export function redactToken(url: string): string {
  return url.replace(/(;token=)[^;]*/gi, '$1***');
}

/** `host:port` for gRPC (IPv6 hosts in brackets). */
export function grpcTarget(c: ConnectionString): string {
  return `${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}`;
}
