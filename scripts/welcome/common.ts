/**
 * Shared pieces of the scripts that generate the welcome template's assets: the output folder, the
 * brand palette, a seeded random generator (so every run writes the same pixels and samples) and a
 * helper that runs the bundled ffmpeg.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';

export const TEMPLATE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../templates/welcome',
);

export const WIDTH = 1280;
export const HEIGHT = 720;
export const FPS = 30;

/** Length of the whole video in seconds, which is also the soundtrack's length. */
export const VIDEO_SECONDS = 30;

/** Brand colours of the images and background clips. template.json repeats them in its text styles. */
export const PALETTE = {
  night: '#0f1e3d',
  navy: '#1b2f63',
  indigo: '#3a3f9e',
  coral: '#ff7a59',
  peach: '#ffb38a',
  sand: '#f7f1e8',
  cream: '#fffaf3',
  ink: '#1d2340',
  slate: '#5a6078',
  sky: '#a8c8ec',
  park: '#c9dfb4',
  white: '#ffffff',
} as const;

/** A seeded pseudo-random generator (mulberry32) returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns the path of a file inside the template folder. */
export function templatePath(...parts: string[]): string {
  return path.join(TEMPLATE_DIR, ...parts);
}

export interface FfmpegRun {
  /** Arguments after the binary name; never built from user text. */
  args: string[];
  /** Data written to ffmpeg's standard input, chunk by chunk, before it is closed. */
  input?: Iterable<Buffer> | AsyncIterable<Buffer>;
}

/** Runs the bundled ffmpeg and rejects with its last lines of stderr when it exits with an error. */
export async function runFfmpeg({ args, input }: FfmpegRun): Promise<void> {
  const { ffmpeg } = loadConfig().ffmpeg;
  const child = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args], {
    stdio: [input ? 'pipe' : 'ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited with code ${code}: ${stderr.trim()}`));
    });
  });
  if (input && child.stdin) {
    const stdin = child.stdin;
    // A write after ffmpeg has quit fails with EPIPE. The exit code and stderr then tell why.
    let closed = false;
    stdin.on('error', () => {
      closed = true;
    });
    for await (const chunk of input) {
      if (closed) break;
      if (!stdin.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            stdin.off('drain', done);
            stdin.off('close', done);
            resolve();
          };
          stdin.on('drain', done);
          stdin.on('close', done);
        });
      }
    }
    stdin.end();
  }
  await exited;
}
