// Runs the real `lookout` CLI (TypeScript sources through tsx) in a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../src/cli/index.ts', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  readonly input?: string;
}

/** Starts the CLI; the caller owns the child (signals, waiting). */
export function spawnCli(args: readonly string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, LOOKOUT_CONFIG: undefined, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs the CLI to completion and collects its output. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  return collect(child, options.input);
}

export function collect(child: ChildProcess, input?: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  if (input !== undefined) child.stdin?.end(input);
  else child.stdin?.end();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Waits until `predicate` holds for the output seen so far. */
export function waitForOutput(
  child: ChildProcess,
  predicate: (text: string) => boolean,
  timeoutMs = 20_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for output; saw:\n${seen}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      seen += d.toString();
      if (predicate(seen)) {
        cleanup();
        resolve(seen);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`process exited (${code}) before the expected output; saw:\n${seen}`));
    };
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}
