import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Migrations are immutable once merged: migrations/checksums.json records the SHA-256 of every
 * merged migration file, and entries are only ever added (`npm run migrations:lock`). The test in
 * test/platform/migration-checksums.test.ts fails when a file differs from its entry, when a file
 * has no entry, and (where git history is at hand) when an entry ever changed.
 */
export const MANIFEST = 'checksums.json';
export const LOCK_COMMAND = 'npm run migrations:lock';

export type Manifest = Record<string, string>;

const MIGRATION_FILE = /^\d{8}_\d{4}_[a-z0-9_]+\.ts$/;

export function migrationFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => MIGRATION_FILE.test(f)).sort();
}

/** Of the text with LF line ends, so a checkout that converts line ends does not read as a change. */
export function checksumOf(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n')).digest('hex');
}

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest) : {};
}

/** What is wrong with the migrations in `dir` against their manifest; empty when all is well. */
export function checksumProblems(dir: string): string[] {
  const manifest = readManifest(dir);
  const files = migrationFiles(dir);
  const problems: string[] = [];
  for (const [name, recorded] of Object.entries(manifest)) {
    if (!files.includes(name)) problems.push(`${name} was merged and has been deleted: merged migrations stay, a change is a new migration.`);
    else if (checksumOf(path.join(dir, name)) !== recorded) problems.push(`${name} was merged and has been changed: restore it and put the change in a new migration.`);
  }
  for (const name of files.filter((f) => !(f in manifest))) {
    problems.push(`${name} has no checksum in migrations/${MANIFEST}: once it is final, run \`${LOCK_COMMAND}\` and commit the manifest.`);
  }
  return problems;
}

/** Adds the checksums of files not yet recorded; refuses to touch the manifest when a recorded file changed. */
export function lockMigrations(dir: string): string[] {
  const changed = checksumProblems(dir).filter((p) => !p.includes('has no checksum'));
  if (changed.length > 0) throw new Error(`refusing to change recorded checksums:\n  ${changed.join('\n  ')}`);
  const manifest = readManifest(dir);
  const added = migrationFiles(dir).filter((f) => !(f in manifest));
  for (const name of added) manifest[name] = checksumOf(path.join(dir, name));
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(sorted, null, 2)}\n`);
  return added;
}

/** Entries of `before` that `after` dropped or changed: an append-only manifest has none. */
export function rewrittenEntries(before: Manifest, after: Manifest): string[] {
  return Object.entries(before)
    .filter(([name, sum]) => after[name] !== sum)
    .map(([name]) => name);
}

export type HistoryCheck = { checked: false; reason: string } | { checked: true; versions: number; problems: string[] };

/**
 * Compares every committed version of the manifest with the versions it was made from (its parents
 * in the manifest's history, so a branch is held to what it started from and a merge to both sides),
 * and the working copy with HEAD's, and reports any entry a later version dropped or changed. Without
 * full git history (no git, not a repository, a shallow clone) it says why it could not look, and
 * only the manifest check applies.
 */
export function manifestHistory(repoRoot: string, manifestPath = `migrations/${MANIFEST}`): HistoryCheck {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    if (git('rev-parse', '--is-shallow-repository').trim() === 'true') return { checked: false, reason: 'shallow clone' };
  } catch {
    return { checked: false, reason: 'no git repository' };
  }
  const manifestAt = (commit: string): Manifest => {
    try {
      return JSON.parse(git('show', `${commit}:${manifestPath}`)) as Manifest;
    } catch {
      return {}; // before the manifest existed
    }
  };
  // Parent rewriting (--parents) names, for each commit that changed the manifest, the nearest
  // ancestors that did too; --full-history keeps both sides of every merge.
  const commits = git('log', '--full-history', '--parents', '--format=%H %P', '--', manifestPath)
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ').filter(Boolean));
  const problems: string[] = [];
  for (const [commit, ...parents] of commits) {
    const after = manifestAt(commit!);
    for (const parent of parents) {
      for (const name of rewrittenEntries(manifestAt(parent), after)) problems.push(`${commit!.slice(0, 10)} dropped or changed the recorded checksum of ${name}`);
    }
  }
  const working = path.join(repoRoot, manifestPath);
  let head: Manifest = {};
  try {
    head = JSON.parse(git('show', `HEAD:${manifestPath}`)) as Manifest;
  } catch {
    // no commit holds the manifest yet
  }
  if (fs.existsSync(working)) {
    for (const name of rewrittenEntries(head, JSON.parse(fs.readFileSync(working, 'utf8')) as Manifest)) problems.push(`the working copy dropped or changed the recorded checksum of ${name}`);
  }
  return { checked: true, versions: commits.length + 1, problems };
}
