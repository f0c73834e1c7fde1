/** Shared helpers of the media tests: ffprobe as JSON, decoded frames and audio samples. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';
import { runTool } from '../../src/media/run.ts';

export const tools = loadConfig().ffmpeg;

export const CLIPS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/clips');

export const clip = (name: string): string => path.join(CLIPS, name);

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  sample_aspect_ratio?: string;
  sample_rate?: string;
  channels?: number;
  nb_frames?: string;
  duration?: string;
  color_transfer?: string;
  color_primaries?: string;
  color_space?: string;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  tags?: Record<string, string>;
}

export interface Probed {
  streams: ProbedStream[];
  format: { duration: string; tags?: Record<string, string> };
  packets: { stream_index: number; pts: number; flags: string }[];
}

/** Runs ffprobe on `file` and returns its streams, format and video packets. */
export async function ffprobe(file: string): Promise<Probed> {
  const { stdout } = await runTool(
    tools.ffprobe,
    [
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      '-show_entries',
      'packet=stream_index,pts,flags',
      file,
    ],
    { timeoutMs: 20_000 },
  );
  return JSON.parse(stdout.toString('utf8')) as Probed;
}

export function videoStream(probed: Probed): ProbedStream {
  const stream = probed.streams.find((s) => s.codec_type === 'video');
  if (!stream) throw new Error('no video stream');
  return stream;
}

export function audioStream(probed: Probed): ProbedStream {
  const stream = probed.streams.find((s) => s.codec_type === 'audio');
  if (!stream) throw new Error('no audio stream');
  return stream;
}

export interface Frame {
  width: number;
  height: number;
  /** Pixels as RGB triplets, row by row. */
  rgb: Buffer;
  pixel(x: number, y: number): [number, number, number];
  /** Mean colour of the rectangle from (x, y), `w` x `h` pixels. */
  mean(x: number, y: number, w: number, h: number): [number, number, number];
}

/**
 * Decodes frame `index` of `file` to RGB. Our outputs are BT.709 limited range; the matrix is named
 * so the conversion does not depend on how this ffmpeg reads colour tags.
 */
export async function decodeFrame(file: string, width: number, height: number, index = 0): Promise<Frame> {
  const { stdout } = await runTool(
    tools.ffmpeg,
    [
      '-v', 'error', '-nostdin', '-i', file,
      '-vf', `select=eq(n\\,${index}),scale=in_color_matrix=bt709:in_range=tv:out_range=pc,format=rgb24`,
      '-vsync', '0', '-frames:v', '1', '-f', 'rawvideo', '-',
    ], // prettier-ignore
    { timeoutMs: 20_000 },
  );
  if (stdout.length !== width * height * 3) {
    throw new Error(`frame ${index} of ${file}: ${stdout.length} bytes, expected ${width * height * 3}`);
  }
  const pixel = (x: number, y: number): [number, number, number] => {
    const at = (y * width + x) * 3;
    return [stdout[at] as number, stdout[at + 1] as number, stdout[at + 2] as number];
  };
  const mean = (x: number, y: number, w: number, h: number): [number, number, number] => {
    let red = 0;
    let green = 0;
    let blue = 0;
    for (let row = y; row < y + h; row++) {
      for (let column = x; column < x + w; column++) {
        const [r, g, b] = pixel(column, row);
        red += r;
        green += g;
        blue += b;
      }
    }
    const count = w * h;
    return [Math.round(red / count), Math.round(green / count), Math.round(blue / count)];
  };
  return { width, height, rgb: stdout, pixel, mean };
}

/** Decodes the audio of `file` as interleaved 16-bit stereo samples at 48 kHz. */
export async function decodeAudio(file: string): Promise<Int16Array> {
  const { stdout } = await runTool(
    tools.ffmpeg,
    ['-v', 'error', '-nostdin', '-i', file, '-map', '0:a:0', '-f', 's16le', '-ac', '2', '-ar', '48000', '-'],
    { timeoutMs: 20_000 },
  );
  // A copy, because a pooled Buffer may start at an odd byte offset, which Int16Array refuses.
  return new Int16Array(Uint8Array.from(stdout).buffer);
}

/** Root mean square of one channel (0 left, 1 right) of interleaved stereo samples. */
export function channelRms(samples: Int16Array, channel: 0 | 1): number {
  let sum = 0;
  let count = 0;
  for (let i = channel; i < samples.length; i += 2) {
    const value = samples[i] as number;
    sum += value * value;
    count++;
  }
  return Math.sqrt(sum / Math.max(1, count));
}

/** Asserts-friendly distance: the largest channel difference between two colours. */
export function colorDistance(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((value, i) => Math.abs(value - (b[i] as number))));
}
