import { loadConfig } from '../server/config';
import { createDatabase } from '../server/platform/db';
import { countsFor, seedScale, SCALE_HR, SCALE_INBOX_MANAGER, SCALE_PASSWORD } from '../server/demo/scale';

// `npm run seed:scale -- --scale N`: fills the configured database (DATABASE_URL, else SQLITE_FILE) with a generated organisation.
async function main(): Promise<void> {
  const at = process.argv.indexOf('--scale');
  const scale = at >= 0 ? Number(process.argv[at + 1]) : 1;
  const config = loadConfig();
  if (config.env === 'production') throw new Error('generated data is refused when NODE_ENV=production');
  const db = createDatabase(config.database);
  const started = Date.now();
  try {
    await db.migrateLatest();
    process.stderr.write(`Generating scale ${scale} into ${db.dialect} ${db.name}: ${JSON.stringify(countsFor(scale))}\n`);
    await seedScale(db.knex, {
      scale,
      now: Date.now(),
      passwordHashCost: config.passwordHashCost,
      progress: (phase, done, total) => process.stderr.write(`  ${phase}: ${done}/${total}${done === total ? '\n' : '\r'}`),
    });
  } finally {
    await db.close();
  }
  process.stdout.write(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Sign in as ${SCALE_INBOX_MANAGER} (the large inbox) or ${SCALE_HR} (HR), password ${SCALE_PASSWORD}.\n`);
}

main().catch((err) => {
  process.stderr.write(`seed:scale failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
