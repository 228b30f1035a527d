import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../server/platform/paths';

// The compiled server, started the way the README's first command starts it.
export const serverEntry = path.join(projectRoot, 'dist', 'server', 'index.js');

/** Starts the built server as a child process with only `env` (and PATH) in its environment. */
export function startServer(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [serverEntry, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += String(d)));
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, ms = 20_000) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const match = stdout.match(pattern);
      if (match) return match;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`not seen: ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`);
  };
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}
