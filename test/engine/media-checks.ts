/** Checks of rendered files shared by the engine and CLI tests: decoded frames, MP4 boxes, ffmpeg runs. */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadConfig } from '../../src/config.ts';

export const tools = loadConfig().ffmpeg;

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BASIC_TEMPLATE = path.join(REPO, 'test/fixtures/templates/basic');

/** Runs a binary and returns its exit code, stdout and stderr. */
export function run(
  binary: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: options.cwd, env: options.env ?? process.env });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
  });
}

/** Decodes frame `index` of a video into packed RGB pixels. */
export async function decodeFrame(file: string, index: number): Promise<Buffer> {
  const { code, stdout, stderr } = await run(tools.ffmpeg, [
    '-v',
    'error',
    '-i',
    file,
    '-vf',
    `select=eq(n\\,${index})`,
    '-frames:v',
    '1',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-',
  ]);
  if (code !== 0) throw new Error(`decoding frame ${index} of ${file} failed: ${stderr}`);
  return stdout;
}

/** Decodes an image file (PNG, JPEG) into packed RGB pixels. */
export async function decodeImage(file: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Mean absolute difference per channel of two RGB images of `width` pixels, inside `region`. */
export function meanDifference(a: Buffer, b: Buffer, width: number, region: Region): number {
  let sum = 0;
  for (let y = region.y; y < region.y + region.h; y++) {
    for (let x = region.x; x < region.x + region.w; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        sum += Math.abs((a[i] as number) - (b[i] as number));
      }
    }
  }
  return sum / (region.w * region.h * 3);
}

/**
 * Returns the smallest region around the pixels of `image` that differ from `background` by more than
 * `threshold` on some channel: the ink of a text, for a text drawn over a plain background.
 */
export function inkBounds(image: Buffer, background: Buffer, width: number, threshold = 24): Region {
  let [left, top, right, bottom] = [Infinity, Infinity, -1, -1];
  const height = image.length / 3 / width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const differs = [0, 1, 2].some(
        (c) => Math.abs((image[i + c] as number) - (background[i + c] as number)) > threshold,
      );
      if (!differs) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  if (right < 0) throw new Error('the image has no ink');
  return { x: left, y: top, w: right - left + 1, h: bottom - top + 1 };
}

/** Returns the types of an MP4 file's top-level boxes, in file order. */
export async function topLevelBoxes(file: string): Promise<string[]> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const types: string[] = [];
    const header = Buffer.alloc(16);
    let offset = 0;
    while (offset + 8 <= size) {
      await handle.read(header, 0, 16, offset);
      let boxSize = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      // Size 1: a 64-bit size follows the type; size 0: the box runs to the end of the file.
      if (boxSize === 1) boxSize = Number(header.readBigUInt64BE(8));
      else if (boxSize === 0) boxSize = size - offset;
      if (boxSize < 8) throw new Error(`invalid box size ${boxSize} at ${offset}`);
      types.push(type);
      offset += boxSize;
    }
    return types;
  } finally {
    await handle.close();
  }
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  color_space?: string;
  color_primaries?: string;
  color_transfer?: string;
  color_range?: string;
}

export async function ffprobe(
  file: string,
): Promise<{ streams: ProbedStream[]; format: { duration: string } }> {
  const { code, stdout, stderr } = await run(tools.ffprobe, [
    '-v',
    'error',
    '-show_streams',
    '-show_format',
    '-of',
    'json',
    file,
  ]);
  if (code !== 0) throw new Error(`ffprobe failed: ${stderr}`);
  return JSON.parse(stdout.toString()) as { streams: ProbedStream[]; format: { duration: string } };
}

/** Returns what `ffmpeg -v error -i file -f null -` prints: empty for a file that decodes cleanly. */
export async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await run(tools.ffmpeg, ['-v', 'error', '-i', file, '-f', 'null', '-']);
  return stderr;
}
