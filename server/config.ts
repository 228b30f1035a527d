import { z } from 'zod';
import { DEFAULT_MINIMUM_GROUP_SIZE, MINIMUM_GROUP_SIZE_FLOOR } from './platform/privacy/aggregates';

export const PROCESS_ROLES = ['web', 'worker', 'all'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

// Read and validated once at start; bad configuration stops the process before it listens.
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .refine((v) => v.startsWith('mysql://') || v.startsWith('sqlite:') || v.startsWith('file:'), {
      message: 'DATABASE_URL must start with mysql://, sqlite: or file:',
    })
    .optional(),
  SQLITE_FILE: z.string().default('var/accountable.sqlite'),
  SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must be at least 32 characters').optional(),
  // Bytes, not characters: HKDF reads the key as bytes (e.g. `openssl rand -base64 48`).
  ACCOUNTABLE_SECRET_KEY: z
    .string()
    .refine((v) => Buffer.byteLength(v, 'utf8') >= 32, { message: 'ACCOUNTABLE_SECRET_KEY must be at least 32 bytes' })
    .optional(),
  COOKIE_SECURE: z.enum(['true', 'false']).optional(),
  // "true"/"false", a number of proxy hops, or addresses/subnets (Express's "trust proxy").
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v): boolean | number | string[] | undefined => {
      if (v === undefined || v === '') return undefined;
      if (v === 'true' || v === 'false') return v === 'true';
      if (/^\d+$/.test(v)) return Number(v);
      return v.split(',').map((s) => s.trim()).filter(Boolean);
    }),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Accountable <no-reply@accountable.invalid>'),
  MAIL_DIR: z.string().default('var/mail'),
  // web serves pages and runs no job; worker runs the jobs and opens no port; all does both.
  PROCESS_ROLE: z.enum(PROCESS_ROLES).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OUTBOX_INTERVAL_MS: z.coerce.number().int().min(0).default(5000),
  OUTBOX_LEASE_MS: z.coerce.number().int().min(1000, 'OUTBOX_LEASE_MS must be at least 1000').default(15 * 60_000),
  ESCALATION_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  SURVEY_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  EXPORT_INTERVAL_MS: z.coerce.number().int().min(0).default(2000),
  EXPORT_RETENTION_DAYS: z.coerce.number().int().min(1, 'EXPORT_RETENTION_DAYS must be at least 1').default(7),
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(0).default(3_600_000),
  PUBLIC_FIGURES_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000),
  TRENDS_INTERVAL_MS: z.coerce.number().int().min(0).default(600_000),
  MINIMUM_GROUP_SIZE: z.coerce.number().int().min(MINIMUM_GROUP_SIZE_FLOOR, `MINIMUM_GROUP_SIZE may not be below ${MINIMUM_GROUP_SIZE_FLOOR}`).default(DEFAULT_MINIMUM_GROUP_SIZE),
  PASSWORD_HASH_COST: z.enum(['standard', 'low']).default('standard'),
});

export type DatabaseConfig =
  | { client: 'sqlite'; filename: string }
  | { client: 'mysql'; url: string };

export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly database: DatabaseConfig;
  readonly sessionSecret: string | undefined;
  /** What link and receipt keys are derived from; without it (outside production) they live in the database. */
  readonly secretKey: string | undefined;
  readonly cookieSecure: boolean;
  readonly trustProxy: boolean | number | string[];
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly mailDir: string;
  readonly logLevel: string;
  readonly processRole: ProcessRole;
  readonly outboxIntervalMs: number;
  /** How long a sender holds the messages it claimed; a crashed sender's come back after it. */
  readonly outboxLeaseMs: number;
  readonly escalationIntervalMs: number;
  readonly surveyIntervalMs: number;
  readonly exportIntervalMs: number;
  /** How long a background export's file is kept after it was built. */
  readonly exportRetentionDays: number;
  readonly retentionIntervalMs: number;
  /** How often the public service-level figures are computed again. */
  readonly publicFiguresIntervalMs: number;
  /** How often HR's trends are recounted (their handling figures are as of the last count). */
  readonly trendsIntervalMs: number;
  /** The least number of people behind any figure from non-named input (never below 3). */
  readonly minimumGroupSize: number;
  readonly passwordHashCost: 'standard' | 'low';
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) {
    // In development the secret is generated once and kept in the database; production must say.
    throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: required when NODE_ENV=production');
  }
  if (e.NODE_ENV === 'production' && !e.PUBLIC_URL) {
    throw new ConfigError('Invalid configuration:\n  PUBLIC_URL: required when NODE_ENV=production (links in e-mails use it)');
  }
  if (e.NODE_ENV === 'production' && e.PASSWORD_HASH_COST === 'low') {
    throw new ConfigError('Invalid configuration:\n  PASSWORD_HASH_COST: "low" is for tests only');
  }
  if (e.NODE_ENV === 'production' && !e.ACCOUNTABLE_SECRET_KEY) {
    // Keys kept in the database beside what they seal would let a copy of the database forge and open links.
    throw new ConfigError('Invalid configuration:\n  ACCOUNTABLE_SECRET_KEY: required when NODE_ENV=production (at least 32 bytes, e.g. `openssl rand -base64 48`)');
  }
  if (e.ACCOUNTABLE_SECRET_KEY !== undefined && e.ACCOUNTABLE_SECRET_KEY === e.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration:\n  ACCOUNTABLE_SECRET_KEY: must differ from SESSION_SECRET');
  }
  const database: DatabaseConfig = e.DATABASE_URL?.startsWith('mysql://')
    ? { client: 'mysql', url: e.DATABASE_URL }
    : { client: 'sqlite', filename: sqliteFilename(e.DATABASE_URL) ?? e.SQLITE_FILE };
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    database,
    sessionSecret: e.SESSION_SECRET,
    secretKey: e.ACCOUNTABLE_SECRET_KEY,
    cookieSecure: e.COOKIE_SECURE ? e.COOKIE_SECURE === 'true' : e.NODE_ENV === 'production',
    trustProxy: e.TRUST_PROXY ?? false,
    smtpUrl: e.SMTP_URL || undefined,
    mailFrom: e.MAIL_FROM,
    mailDir: e.MAIL_DIR,
    logLevel: e.LOG_LEVEL,
    processRole: e.PROCESS_ROLE,
    outboxIntervalMs: e.OUTBOX_INTERVAL_MS,
    outboxLeaseMs: e.OUTBOX_LEASE_MS,
    escalationIntervalMs: e.ESCALATION_INTERVAL_MS,
    surveyIntervalMs: e.SURVEY_INTERVAL_MS,
    exportIntervalMs: e.EXPORT_INTERVAL_MS,
    exportRetentionDays: e.EXPORT_RETENTION_DAYS,
    retentionIntervalMs: e.RETENTION_INTERVAL_MS,
    publicFiguresIntervalMs: e.PUBLIC_FIGURES_INTERVAL_MS,
    trendsIntervalMs: e.TRENDS_INTERVAL_MS,
    minimumGroupSize: e.MINIMUM_GROUP_SIZE,
    passwordHashCost: e.PASSWORD_HASH_COST,
  });
}

function sqliteFilename(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return url.replace(/^(sqlite|file):(\/\/)?/, '');
}
