/** The built app as a child process of a load run, its output in a log file. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts dist/server/index.js with `env` added to this process's environment; output appended to `logFile`. */
export function spawnApp(args: string[], env: Record<string, string>, logFile: string): ChildProcess {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/server/index.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  return child;
}

/** Waits until `url`/healthz answers 200; fails when the process exits first or `ms` pass. */
export async function waitForHealth(name: string, url: string, child: ChildProcess, logFile: string, ms = 150_000): Promise<void> {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}); see ${logFile}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return;
    await pause(250);
  }
  throw new Error(`${name} did not answer /healthz; see ${logFile}`);
}

/** Waits until the log shows `pattern` (a worker opens no port to ask); fails when the process exits first or `ms` pass. */
export async function waitForLogLine(name: string, pattern: RegExp, child: ChildProcess, logFile: string, ms = 150_000): Promise<void> {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}); see ${logFile}`);
    if (pattern.test(fs.readFileSync(logFile, 'utf8'))) return;
    await pause(250);
  }
  throw new Error(`${name} did not log ${pattern}; see ${logFile}`);
}

/** SIGTERM, then waits for the exit: false when the process had not exited after `ms` (it is then killed). */
export async function stopApp(child: ChildProcess, ms = 20_000): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
  child.kill('SIGTERM');
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref());
  const clean = await Promise.race([exited, timer]);
  if (!clean) child.kill('SIGKILL');
  return clean;
}
