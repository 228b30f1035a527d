import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checksumProblems, lockMigrations, manifestHistory, MANIFEST, readManifest } from '../../scripts/migration-checksums';
import { projectRoot } from '../../server/platform/paths';

const migrationsDir = path.join(projectRoot, 'migrations');

describe('merged migrations are immutable', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'accountable-migrations-'));
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  /** A copy of the repository's migrations and manifest to break. */
  const copy = () => {
    fs.cpSync(migrationsDir, scratch, { recursive: true });
    return scratch;
  };

  it('when the repository is checked, then every migration file matches its recorded checksum and none lacks one', () => {
    expect(checksumProblems(migrationsDir)).toEqual([]);
  });

  it('when a merged migration is changed or deleted, then the check fails naming it', () => {
    const dir = copy();
    const [first, second] = Object.keys(readManifest(dir));
    fs.appendFileSync(path.join(dir, first!), '\n// a small edit in place\n');
    fs.rmSync(path.join(dir, second!));
    expect(checksumProblems(dir)).toEqual([
      `${first} was merged and has been changed: restore it and put the change in a new migration.`,
      `${second} was merged and has been deleted: merged migrations stay, a change is a new migration.`,
    ]);
  });

  it('when a new migration has no checksum yet, then the check says how to add it, and the lock command adds it', () => {
    const dir = copy();
    const before = readManifest(dir);
    fs.writeFileSync(path.join(dir, '20991231_0001_new_table.ts'), 'export async function up() {}\nexport async function down() {}\n');
    expect(checksumProblems(dir)).toEqual([`20991231_0001_new_table.ts has no checksum in migrations/${MANIFEST}: once it is final, run \`npm run migrations:lock\` and commit the manifest.`]);
    expect(lockMigrations(dir)).toEqual(['20991231_0001_new_table.ts']);
    expect(checksumProblems(dir)).toEqual([]);
    // Existing entries are kept as they were.
    expect(readManifest(dir)).toMatchObject(before);
  });

  it('when a recorded migration has changed, then the lock command refuses and leaves the manifest alone', () => {
    const dir = copy();
    const [first] = Object.keys(readManifest(dir));
    const manifest = fs.readFileSync(path.join(dir, MANIFEST), 'utf8');
    fs.appendFileSync(path.join(dir, first!), '\n// edited\n');
    expect(() => lockMigrations(dir)).toThrow(/refusing to change recorded checksums/);
    expect(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')).toBe(manifest);
  });

  it('when git history is at hand, then no committed version of the manifest ever dropped or changed an entry', () => {
    const history = manifestHistory(projectRoot);
    if (!history.checked) {
      // CI and fresh clones normally have full history; a shallow or exported tree has only the manifest check.
      expect(['shallow clone', 'no git repository']).toContain(history.reason);
      return;
    }
    expect(history.problems).toEqual([]);
  });

  describe('the history check itself', () => {
    const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commitManifest = (repo: string, manifest: Record<string, string>) => {
      fs.mkdirSync(path.join(repo, 'migrations'), { recursive: true });
      fs.writeFileSync(path.join(repo, 'migrations', MANIFEST), JSON.stringify(manifest));
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'manifest');
    };
    /** A repository whose history appends to the manifest once. */
    const appendingRepo = () => {
      const repo = path.join(scratch, 'repo');
      fs.mkdirSync(repo);
      git(repo, 'init', '-q');
      commitManifest(repo, { 'a.ts': '1' });
      commitManifest(repo, { 'a.ts': '1', 'b.ts': '2' });
      return repo;
    };

    it('when a commit rewrote a recorded checksum (file and manifest edited together), then it is reported; appending is fine', () => {
      const repo = appendingRepo();
      expect(manifestHistory(repo)).toEqual({ checked: true, versions: 3, problems: [] });
      commitManifest(repo, { 'a.ts': 'edited', 'b.ts': '2' });
      const history = manifestHistory(repo);
      expect(history.checked && history.problems).toEqual([expect.stringMatching(/dropped or changed the recorded checksum of a\.ts$/)]);
    });

    it('when two branches append from one base and are merged, then nothing is reported; a merge that drops one side\'s entry is reported', () => {
      const repo = appendingRepo();
      git(repo, 'checkout', '-q', '-b', 'side');
      commitManifest(repo, { 'a.ts': '1', 'b.ts': '2', 'c.ts': '3' });
      git(repo, 'checkout', '-q', '-');
      commitManifest(repo, { 'a.ts': '1', 'b.ts': '2', 'd.ts': '4' });
      const merge = (branch: string, manifest: Record<string, string>) => {
        git(repo, 'merge', '-q', '-s', 'ours', '--no-commit', branch);
        commitManifest(repo, manifest);
      };
      merge('side', { 'a.ts': '1', 'b.ts': '2', 'c.ts': '3', 'd.ts': '4' });
      expect(manifestHistory(repo)).toMatchObject({ checked: true, problems: [] });
      git(repo, 'checkout', '-q', '-b', 'other');
      commitManifest(repo, { 'a.ts': '1', 'b.ts': '2', 'c.ts': '3', 'd.ts': '4', 'e.ts': '5' });
      git(repo, 'checkout', '-q', '-');
      merge('other', { 'a.ts': '1', 'b.ts': '2', 'c.ts': '3', 'd.ts': '4' });
      const history = manifestHistory(repo);
      expect(history.checked && history.problems).toEqual([expect.stringMatching(/dropped or changed the recorded checksum of e\.ts$/)]);
    });

    it('when the clone is shallow or there is no repository, then it says it could not look', () => {
      const repo = appendingRepo();
      git(scratch, 'clone', '-q', '--depth', '1', `file://${repo}`, 'shallow');
      expect(manifestHistory(path.join(scratch, 'shallow'))).toEqual({ checked: false, reason: 'shallow clone' });
      const plain = path.join(scratch, 'plain');
      fs.mkdirSync(plain);
      expect(manifestHistory(plain)).toEqual({ checked: false, reason: 'no git repository' });
    });
  });
});
