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
      redact: {
        paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.email', '*.password'],
        censor: '[redacted]',
      },
    },
    destination,
  );
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

export function pathWithoutQuery(url: string | undefined): string {
  if (!url) return '';
  const end = url.indexOf('?');
  const path = end === -1 ? url : url.slice(0, end);
  // Token-bearing paths (verification, reset, survey and request links) keep their shape but lose the secret.
  return path
    .replace(/\/(verify|reset)\/[^/]+/, '/$1/[token]')
    .replace(/^\/s\/[^/]+/, '/s/[token]')
    .replace(/^\/feedback\/requested\/[^/]+/, '/feedback/requested/[token]');
}
