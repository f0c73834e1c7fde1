/** Running `vidata` commands as child processes, the way a user runs them. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(REPO, 'bin', 'vidata.js');

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** Everything printed so far on stdout and stderr. */
  output(): string;
  /**
   * Sends a signal and waits for the exit. SIGKILL goes to the whole process group, so the ffmpeg
   * processes of a render die with the server, as in a machine crash.
   */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/** Starts `vidata serve` on a free port and waits for its "server started" log line. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a simulated crash can take the render's ffmpeg processes with it.
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const check = () => {
      const match = /"port":(\d+),[^\n]*"msg":"server started"/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    port,
    output: () => output,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        if (signal === 'SIGKILL') process.kill(-child.pid, signal);
        else child.kill(signal);
      }
      await exited;
    },
  };
}

/** Runs a `vidata` command to its end and returns its output; rejects on a non-zero exit. */
export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`vidata ${args.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}
