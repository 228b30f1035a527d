import path from 'node:path';
import { projectRoot } from '../server/platform/paths';
import { lockMigrations, MANIFEST } from './migration-checksums';

// `npm run migrations:lock`: records the checksums of new migration files; never changes a recorded one.
try {
  const added = lockMigrations(path.join(projectRoot, 'migrations'));
  process.stdout.write(added.length ? `migrations/${MANIFEST}: added ${added.join(', ')}\n` : `migrations/${MANIFEST}: nothing new\n`);
} catch (err) {
  process.stderr.write(`migrations:lock: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
