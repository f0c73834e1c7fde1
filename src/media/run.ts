/**
 * Runs ffmpeg and ffprobe as child processes with argument arrays (no shell), a timeout and an
 * optional AbortSignal, and turns their failures into catalogue errors in one place.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { VidataError } from '../errors.ts';

export interface RunOptions {
  /** Kills the process (SIGKILL) after this many milliseconds. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface RunResult {
  stdout: Buffer;
  /** The last `STDERR_TAIL_BYTES` of standard error, as text. */
  stderr: string;
}

/** Bytes of standard error kept for error details; ffmpeg can print megabytes on a damaged input. */
const STDERR_TAIL_BYTES = 16_384;

/** Output of a tool that exited with a non-zero status, a signal or a timeout. */
export class ToolFailure extends Error {
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;

  constructor(message: string, result: { stderr: string; exitCode: number | null; timedOut: boolean }) {
    super(message);
    this.name = 'ToolFailure';
    this.stderr = result.stderr;
    this.exitCode = result.exitCode;
    this.timedOut = result.timedOut;
  }
}

/**
 * Runs `command` with `args` and resolves with its output when it exits with status 0. Rejects with
 * FFMPEG_NOT_FOUND when the binary cannot be started, RENDER_CANCELLED when `signal` aborts, and a
 * ToolFailure otherwise, so each caller decides which catalogue code the failure deserves.
 */
export function runTool(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new VidataError('RENDER_CANCELLED', 'The operation was cancelled before it started.'));
      return;
    }
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = Buffer.alloc(0);
    let timedOut = false;
    let cancelled = false;

    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const onAbort = (): void => {
      cancelled = true;
      child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanUp = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };

    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]);
      if (stderr.length > STDERR_TAIL_BYTES) stderr = stderr.subarray(stderr.length - STDERR_TAIL_BYTES);
    });
    child.on('error', (cause: NodeJS.ErrnoException) => {
      cleanUp();
      if (cause.code === 'ENOENT' || cause.code === 'EACCES') {
        reject(new VidataError('FFMPEG_NOT_FOUND', `Cannot start ${command}: ${cause.code}.`, { cause }));
      } else reject(cause);
    });
    child.on('close', (exitCode, signalName) => {
      cleanUp();
      const text = stderr.toString('utf8').trim();
      if (cancelled) {
        reject(new VidataError('RENDER_CANCELLED', 'The operation was cancelled.'));
      } else if (timedOut) {
        reject(
          new ToolFailure(`${command} timed out after ${options.timeoutMs} ms`, {
            stderr: text,
            exitCode,
            timedOut: true,
          }),
        );
      } else if (exitCode !== 0) {
        const status = exitCode === null ? `signal ${String(signalName)}` : `status ${exitCode}`;
        reject(
          new ToolFailure(`${command} exited with ${status}`, { stderr: text, exitCode, timedOut: false }),
        );
      } else resolve({ stdout: Buffer.concat(stdout), stderr: text });
    });
  });
}

/**
 * Returns the arguments that open `file` as an ffmpeg or ffprobe input, and nothing else. The
 * `file:` prefix keeps a name such as "-x.mp4" or "concat:a|b" from being read as an option or a
 * protocol, and the whitelist stops a file from pulling in other sources (network or nested inputs).
 */
export function localInput(file: string): string[] {
  return ['-protocol_whitelist', 'file', '-i', `file:${path.resolve(file)}`];
}

/** Returns the last `lines` lines of a tool's standard error, for messages and error details. */
export function stderrTail(stderr: string, lines = 6): string {
  return stderr.split('\n').slice(-lines).join('\n');
}
