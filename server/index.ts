import type { Server } from 'node:http';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createDatabase } from './platform/db';
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
  await db.migrateLatest();

  if (process.argv.includes('--demo')) {
    const seeded = await seedDemoOrganisation(db.knex, systemClock, config);
    logger.info({ seeded }, 'demo organisation ready');
  }

  const { app, outboxSender, escalationSweep, surveySweep, reviewSweep, exportWorker, retentionSweep, publicFigures, services } = await createApp({ config, db, logger, clock: systemClock });
  if (process.argv.includes('--demo')) {
    logger.info({ seeded: await seedDemoFeedback(db.knex, services) }, 'demo feedback ready');
    const today = new Date().toISOString().slice(0, 10);
    logger.info({ seeded: await seedDemoSurveys(db.knex, services, today) }, 'demo surveys ready');
    logger.info({ seeded: await seedDemoReviews(db.knex, services, today) }, 'demo reviews ready');
  }
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
  });
  outboxSender.start(config.outboxIntervalMs);
  escalationSweep.start(config.escalationIntervalMs);
  surveySweep.start(config.surveyIntervalMs);
  // Request reminders and erasure are due by the day: the survey sweep's interval is plenty.
  reviewSweep.start(config.surveyIntervalMs);
  exportWorker.start(config.exportIntervalMs);
  retentionSweep.start(config.retentionIntervalMs);
  publicFigures.start(config.publicFiguresIntervalMs);

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  process.stdout.write(`\nAccountable is running at http://localhost:${port} (database: ${db.dialect})\n`);
  if (process.argv.includes('--demo')) {
    process.stdout.write(`\nDemo sign-ins (password for all: ${DEMO_PASSWORD}):\n`);
    for (const { email, role } of DEMO_SIGN_INS) process.stdout.write(`  ${email.padEnd(28)} ${role}\n`);
    process.stdout.write(`\nE-mails are written to ${config.smtpUrl ? 'the SMTP server' : config.mailDir}/\n\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Requests in flight finish before the database goes; stragglers are cut after ten seconds.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const cutOff = setTimeout(() => server.closeAllConnections(), 10_000);
    await closed;
    clearTimeout(cutOff);
    await Promise.all([outboxSender.stop(), escalationSweep.stop(), surveySweep.stop(), reviewSweep.stop(), exportWorker.stop(), retentionSweep.stop(), publicFigures.stop()]);
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`Accountable failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
