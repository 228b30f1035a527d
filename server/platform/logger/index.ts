import pino, { type Logger } from 'pino';

export type { Logger };

// Log lines carry ids and paths, never names, e-mail addresses, tokens or free text.
// Query strings are dropped from logged URLs because links carry single-use tokens.
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      serializers: { err: serializeError },
      // On the finished line, so no serializer, child binding or letter case gets past it.
      hooks: { streamWrite: redactLine },
    },
    destination,
  );
}

/** Keys whose values never reach a log line, compared in lower case (`Cookie`, `COOKIE`, `cookie`). */
const SECRET_KEYS = new Set(['cookie', 'set-cookie', 'authorization', 'proxy-authorization', 'x-csrf-token', '_csrf', 'password', 'email', 'token', 'receiptcode', 'secret']);
/** Keys holding a URL or path, which keep their shape but lose query and tokens. */
const URL_KEYS = new Set(['path', 'url', 'originalurl', 'referer', 'referrer', 'location']);
const REDACTED = '[redacted]';

function redactValue(key: string, value: unknown): unknown {
  const lower = key.toLowerCase();
  if (SECRET_KEYS.has(lower)) return REDACTED;
  if (typeof value === 'string') return URL_KEYS.has(lower) ? pathWithoutQuery(value) : value;
  if (Array.isArray(value)) return value.map((v) => redactValue(key, v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(k, v)]));
  }
  return value;
}

export function redactLine(line: string): string {
  try {
    return `${JSON.stringify(redactValue('', JSON.parse(line)))}\n`;
  } catch {
    return line;
  }
}

/**
 * Errors as log lines: database errors lose their message (a driver may quote the offending value,
 * such as a duplicate e-mail address) but keep their codes and stack frames.
 */
export function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const e = err as Error & { code?: unknown; errno?: unknown; sqlMessage?: unknown; sql?: unknown };
  const fromDatabase = e.sqlMessage !== undefined || e.sql !== undefined || (typeof e.code === 'string' && /^(ER_|SQLITE_)/.test(e.code));
  const frames = (e.stack ?? '').split('\n').slice(1).join('\n');
  return {
    type: e.name,
    ...(fromDatabase ? {} : { message: e.message }),
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.errno !== undefined ? { errno: e.errno } : {}),
    stack: frames,
  };
}

// A link's secret follows one of these segments; matched in any letter case, since a client may
// send `/S/…` or `/RECEIPT/…` even though no route answers it.
const TOKEN_AFTER = /\/(verify|reset|s|requested|receipt)\/[^/]+/gi;
// Any long opaque segment is a secret whatever precedes it (tokens are 32 random bytes).
const OPAQUE_SEGMENT = /\/[A-Za-z0-9_%-]{32,}(?=\/|$)/g;

export function pathWithoutQuery(url: string | undefined): string {
  if (!url) return '';
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  // Token-bearing paths (verification, reset, survey, request and receipt links) keep their shape but lose the secret.
  return path.replace(TOKEN_AFTER, (_m, segment: string) => `/${segment}/[token]`).replace(OPAQUE_SEGMENT, '/[token]');
}
