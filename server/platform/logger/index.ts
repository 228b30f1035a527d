import pino, { type Logger } from 'pino';

export type { Logger };

// Log lines carry ids and paths, never names, e-mail addresses, tokens or free text.
// Query strings are dropped from logged URLs because links carry single-use tokens.
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.email', '*.password'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export function pathWithoutQuery(url: string | undefined): string {
  if (!url) return '';
  const end = url.indexOf('?');
  const path = end === -1 ? url : url.slice(0, end);
  // Token-bearing paths (verification, reset) keep their shape but lose the secret.
  return path.replace(/\/(verify|reset)\/[^/]+/, '/$1/[token]');
}
