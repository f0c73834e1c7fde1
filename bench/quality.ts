/**
 * Compares two renders frame by frame with ffmpeg's `ssim` and `psnr` filters, and counts their frames
 * and sound. The bench checks its cached renders with it, and so do the engine tests.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';

const tools = loadConfig().ffmpeg;

export interface FrameScore {
  frame: number;
  /** SSIM of all planes, 1 for identical frames. */
  ssim: number;
  /** PSNR of all planes in dB; `inf` for identical frames. */
  psnr: number;
}

/** Scores frames `frames` (indexes) of `b` against the same frames of `a`. */
export async function compareFrames(a: string, b: string, frames: readonly number[]): Promise<FrameScore[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vidata-compare-'));
  try {
    const select = `select='${frames.map((f) => `eq(n\\,${f})`).join('+')}',setpts=N`;
    const ssimFile = path.join(dir, 'ssim.log');
    const psnrFile = path.join(dir, 'psnr.log');
    const graph = [
      `[0:v]${select},split[a1][a2]`,
      `[1:v]${select},split[b1][b2]`,
      `[a1][b1]ssim=stats_file=${ssimFile}[s]`,
      `[a2][b2]psnr=stats_file=${psnrFile}[p]`,
    ].join(';');
    const { code, stderr } = await run(tools.ffmpeg, [
      '-v',
      'error',
      '-i',
      a,
      '-i',
      b,
      '-filter_complex',
      graph,
      '-map',
      '[s]',
      '-f',
      'null',
      '-',
      '-map',
      '[p]',
      '-f',
      'null',
      '-',
    ]);
    if (code !== 0) throw new Error(`comparing ${a} and ${b} failed: ${stderr}`);
    const ssim = (await readFile(ssimFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => Number(/All:([\d.]+)/.exec(line)?.[1]));
    const psnr = (await readFile(psnrFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => {
        const value = /psnr_avg:(\S+)/.exec(line)?.[1] ?? 'nan';
        return value === 'inf' ? Number.POSITIVE_INFINITY : Number(value);
      });
    const sorted = [...frames].sort((x, y) => x - y);
    return sorted.map((frame, i) => ({ frame, ssim: ssim[i] ?? Number.NaN, psnr: psnr[i] ?? Number.NaN }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Frames of the first video stream, counted by decoding. */
export async function countFrames(file: string): Promise<number> {
  const { code, stdout, stderr } = await run(tools.ffprobe, [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames',
    '-of',
    'csv=p=0',
    file,
  ]);
  if (code !== 0) throw new Error(`counting frames of ${file} failed: ${stderr}`);
  return Number(stdout.toString().trim());
}

/** Seconds of the first stream of `type`, from its own duration. */
export async function streamSeconds(file: string, type: 'audio' | 'video'): Promise<number> {
  const { code, stdout, stderr } = await run(tools.ffprobe, [
    '-v',
    'error',
    '-select_streams',
    type === 'audio' ? 'a:0' : 'v:0',
    '-show_entries',
    'stream=duration',
    '-of',
    'csv=p=0',
    file,
  ]);
  if (code !== 0) throw new Error(`reading the ${type} duration of ${file} failed: ${stderr}`);
  return Number(stdout.toString().trim());
}

/** Returns the presentation timestamps of the first video stream's packets, in its time base, sorted. */
export async function videoTimestamps(file: string): Promise<number[]> {
  const { code, stdout, stderr } = await run(tools.ffprobe, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'packet=pts',
    '-of',
    'csv=p=0',
    file,
  ]);
  if (code !== 0) throw new Error(`reading the timestamps of ${file} failed: ${stderr}`);
  return stdout
    .toString()
    .trim()
    .split('\n')
    .map(Number)
    .sort((x, y) => x - y);
}

/** Returns what `ffmpeg -v error -i file -f null -` prints: empty for a file that decodes cleanly. */
export async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await run(tools.ffmpeg, ['-v', 'error', '-i', file, '-f', 'null', '-']);
  return stderr;
}

function run(
  binary: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args);
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
  });
}
