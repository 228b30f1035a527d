import { createServer, type RequestListener, type Server } from 'node:http';
import { createApp } from './app';
import type { JobRegistry } from './jobs/registry';
import { ConfigError, loadConfig } from './config';
import { createDatabase } from './platform/db';
import { migrateWhenReachable } from './platform/db/startup';
import { createTranslator, DEFAULT_LOCALE } from './platform/i18n';
import { systemClock } from './platform/clock';
import { createLogger } from './platform/logger';
import { DEMO_PASSWORD, DEMO_SIGN_INS, seedDemoOrganisation } from './demo/seed';
import { seedDemoFeedback } from './demo/feedback';
import { seedDemoSurveys } from './demo/surveys';
import { seedDemoReviews } from './demo/reviews';

// The only file that opens a port: start, serve, and stop cleanly on SIGTERM/SIGINT.
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const db = createDatabase(config.database);
  const role = config.processRole;
  // A web process listens at once, answering 503 until it is ready: a database that is down at
  // start shows in /healthz (and the log) while the process keeps trying, rather than as a closed port.
  const server: Server | undefined = role === 'worker' ? undefined : await listenWhileStarting(config.port, config.host, db.dialect);
  // Set up before start-up waits for the database, so a process that never got it still stops cleanly.
  let stopping = false;
  let jobRegistry: JobRegistry | undefined;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    if (server) {
      // Requests in flight finish before the database goes; stragglers are cut after ten seconds.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const cutOff = setTimeout(() => server.closeAllConnections(), 10_000);
      await closed;
      clearTimeout(cutOff);
    }
    // A web process started none, and one still starting has none yet: stopping them waits for nothing.
    await jobRegistry?.stopAll();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await migrateWhenReachable(db, logger);

  if (process.argv.includes('--demo')) {
    const seeded = await seedDemoOrganisation(db.knex, systemClock, config);
    logger.info({ seeded }, 'demo organisation ready');
  }

  const started = await createApp({ config, db, logger, clock: systemClock });
  const { app, services } = started;
  jobRegistry = started.jobRegistry;
  if (process.argv.includes('--demo')) {
    logger.info({ seeded: await seedDemoFeedback(db.knex, services) }, 'demo feedback ready');
    const today = new Date().toISOString().slice(0, 10);
    logger.info({ seeded: await seedDemoSurveys(db.knex, services, today) }, 'demo surveys ready');
    logger.info({ seeded: await seedDemoReviews(db.knex, services, today) }, 'demo reviews ready');
  }
  // A worker opens no port: its health is its heartbeats, which any web process's /healthz shows.
  if (server) {
    server.removeAllListeners('request');
    server.on('request', app);
  }
  if (role !== 'web') jobRegistry.startAll();

  if (server) {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    process.stdout.write(`\nAccountable is running at http://localhost:${port} (database: ${db.dialect}, role: ${role})\n`);
  } else {
    process.stdout.write(`\nAccountable worker is running ${jobRegistry.list().length} jobs (database: ${db.dialect})\n`);
  }
  if (process.argv.includes('--demo')) {
    process.stdout.write(`\nDemo sign-ins (password for all: ${DEMO_PASSWORD}):\n`);
    for (const { email, role } of DEMO_SIGN_INS) process.stdout.write(`  ${email.padEnd(28)} ${role}\n`);
    process.stdout.write(`\nE-mails are written to ${config.smtpUrl ? 'the SMTP server' : config.mailDir}/\n\n`);
  }
}

async function listenWhileStarting(port: number, host: string, database: string): Promise<Server> {
  const message = (await createTranslator()).forLocale(DEFAULT_LOCALE)('errors.unavailable');
  const starting: RequestListener = (req, res) => {
    res.statusCode = 503;
    res.setHeader('Retry-After', '5');
    if (req.url === '/healthz') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'unavailable', database }));
    } else {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(message);
    }
  };
  const server = createServer(starting);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}

main().catch((err) => {
  process.stderr.write(`Accountable failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
