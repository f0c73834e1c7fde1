/**
 * The one place that runs ffmpeg and ffprobe. Processes are spawned with argument arrays (never a
 * shell), killed when the render is cancelled, and a failing run becomes a VidataError: FFMPEG_FAILED
 * with the tail of stderr in `details`, or FFMPEG_NOT_FOUND when the binary cannot be started.
 */
import { spawn } from 'node:child_process';
import { VidataError } from '../errors.ts';
import type { FfmpegTools } from './types.ts';

/** Lines of stderr kept for the error details: enough for ffmpeg's own error and its context. */
const STDERR_TAIL_LINES = 25;
/** Characters of stderr kept in memory while a process runs, so a chatty run cannot grow without bound. */
const STDERR_BUFFER_CHARS = 64 * 1024;

export interface FfmpegRun {
  /** Arguments after the binary name. */
  args: readonly string[];
  signal?: AbortSignal | undefined;
  /** Receives the number of frames written so far, read from ffmpeg's `-progress` output. */
  onFrame?: ((frame: number) => void) | undefined;
}

export interface FfmpegFailure {
  binary: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines ffmpeg wrote on stderr. */
  stderrTail: string;
}

/** Returns the error every stage throws when the render's signal is aborted. */
export function cancelledError(): VidataError {
  return new VidataError('RENDER_CANCELLED', 'The render was cancelled.');
}

/** Throws RENDER_CANCELLED when `signal` is aborted; stages call it between steps. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

/** Runs ffmpeg to completion; throws FFMPEG_FAILED, FFMPEG_NOT_FOUND or RENDER_CANCELLED. */
export async function runFfmpeg(tools: FfmpegTools, run: FfmpegRun): Promise<void> {
  // -nostdin: ffmpeg must never wait for keyboard input in a worker. -progress pipe:1 writes
  // machine-readable "key=value" lines on stdout, which is how frames are counted.
  const progress = run.onFrame ? ['-progress', 'pipe:1', '-nostats'] : [];
  const args = ['-hide_banner', '-nostdin', '-y', ...progress, ...run.args];
  await runProcess(tools.ffmpeg, args, run.signal, run.onFrame);
}

/** Runs ffprobe and returns its stdout. */
export async function runFfprobe(
  tools: FfmpegTools,
  args: readonly string[],
  signal?: AbortSignal,
): Promise<string> {
  return runProcess(tools.ffprobe, ['-hide_banner', ...args], signal);
}

const versions = new Map<string, Promise<string>>();

/**
 * Returns the first line of `ffmpeg -version` (build and version), cached per binary. Segments made
 * by different builds are not byte-compatible, so the version belongs in a segment's cache key.
 */
export function ffmpegVersion(tools: FfmpegTools): Promise<string> {
  let version = versions.get(tools.ffmpeg);
  if (version === undefined) {
    version = runProcess(tools.ffmpeg, ['-hide_banner', '-version']).then(
      (out) => out.split('\n')[0]?.trim() ?? '',
    );
    versions.set(tools.ffmpeg, version);
    version.catch(() => versions.delete(tools.ffmpeg));
  }
  return version;
}

function runProcess(
  binary: string,
  args: readonly string[],
  signal?: AbortSignal,
  onFrame?: (frame: number) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError());
      return;
    }
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let pending = '';
    let stderr = '';
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(stdout);
    };
    let cancelled = false;
    // The promise settles on 'close', once the killed process has really exited, so the caller can
    // remove the files it was writing.
    const onAbort = () => {
      cancelled = true;
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (!onFrame) {
        stdout += chunk;
        return;
      }
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^frame=(\d+)/.exec(line);
        if (match) onFrame(Number(match[1]));
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_BUFFER_CHARS);
    });

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EACCES') {
        finish(
          new VidataError('FFMPEG_NOT_FOUND', `Cannot run ${binary}: ${error.code}.`, {
            cause: error,
            details: { binary },
          }),
        );
      } else finish(error);
    });
    child.on('close', (exitCode, exitSignal) => {
      if (cancelled) {
        finish(cancelledError());
        return;
      }
      if (exitCode === 0) {
        finish();
        return;
      }
      const failure: FfmpegFailure = {
        binary,
        exitCode,
        signal: exitSignal,
        stderrTail: tail(stderr, STDERR_TAIL_LINES),
      };
      const lastLine = failure.stderrTail.split('\n').at(-1) ?? '';
      const status = exitCode === null ? `was killed by ${exitSignal}` : `exited with code ${exitCode}`;
      finish(
        new VidataError('FFMPEG_FAILED', `${shortName(binary)} ${status}: ${lastLine}`, {
          details: failure,
        }),
      );
    });
  });
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function shortName(binary: string): string {
  return binary.split(/[\\/]/).at(-1) ?? binary;
}
