/**
 * Checks an uploaded file by its bytes, never by its name or declared type: the first bytes give
 * the format. Images go through the render engine's own image check (header, pixel limit, a full
 * decode); videos are read with ffprobe.
 */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { VidataError } from '../../errors.ts';
import { sniffFormat as sniffImageFormat, type ImageFormat } from '../../engine/raster/image-inspect.ts';
import { inspectImage } from '../../engine/raster/image.ts';

export interface MediaInfo {
  kind: 'image' | 'video';
  contentType: string;
  /** File name extension without the dot. */
  extension: string;
  width: number;
  height: number;
  /** Seconds, for videos. */
  duration: number | undefined;
}

export interface InspectOptions {
  maxImagePixels: number;
  ffprobe: string;
}

type Sniffed = { kind: 'image' | 'video'; contentType: string; extension: string };

const IMAGE_TYPES: Record<ImageFormat, Omit<Sniffed, 'kind'>> = {
  jpeg: { contentType: 'image/jpeg', extension: 'jpg' },
  png: { contentType: 'image/png', extension: 'png' },
  webp: { contentType: 'image/webp', extension: 'webp' },
  gif: { contentType: 'image/gif', extension: 'gif' },
  avif: { contentType: 'image/avif', extension: 'avif' },
  heic: { contentType: 'image/heic', extension: 'heic' },
};

/** Recognizes the format from the file's first bytes; undefined for anything else. */
export function sniffFormat(head: Buffer): Sniffed | undefined {
  // Images first: AVIF and HEIC files start with an ISO "ftyp" box, like MP4.
  const image = sniffImageFormat(head);
  if (image) return { kind: 'image', ...IMAGE_TYPES[image] };
  const ascii = (start: number, end: number) => head.subarray(start, end).toString('latin1');
  if (head.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])))
    return { kind: 'video', contentType: 'video/webm', extension: 'webm' };
  if (ascii(4, 8) === 'ftyp') {
    // QuickTime files carry the major brand "qt  "; every other ISO media brand is served as MP4.
    return ascii(8, 12) === 'qt  '
      ? { kind: 'video', contentType: 'video/quicktime', extension: 'mov' }
      : { kind: 'video', contentType: 'video/mp4', extension: 'mp4' };
  }
  return undefined;
}

export async function inspectMedia(file: string, options: InspectOptions): Promise<MediaInfo> {
  const handle = await open(file, 'r');
  const head = Buffer.alloc(64);
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  const format = sniffFormat(head);
  if (!format) {
    throw new VidataError(
      'UNSUPPORTED_MEDIA_TYPE',
      'The file is neither a JPEG, PNG, WebP, GIF or AVIF image nor an MP4, MOV or WebM video.',
      { field: 'file' },
    );
  }
  if (format.kind === 'video') return inspectVideoFile(file, format, options);
  const image = await inspectImage(file, { maxPixels: options.maxImagePixels, decode: true }, 'file');
  return { ...format, width: image.width, height: image.height, duration: undefined };
}

interface ProbeOutput {
  streams?: { codec_type?: string; width?: number; height?: number; nb_frames?: string }[];
  format?: { duration?: string };
}

async function inspectVideoFile(file: string, format: Sniffed, options: InspectOptions): Promise<MediaInfo> {
  const invalid = (message: string, cause?: unknown) =>
    new VidataError('VIDEO_INVALID', message, { field: 'file', cause });
  let probe: ProbeOutput;
  try {
    const { stdout: text } = await runProbe(options.ffprobe, [
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      file,
    ]);
    probe = JSON.parse(text) as ProbeOutput;
  } catch (cause) {
    throw invalid('The video cannot be read: it is damaged or incomplete.', cause);
  }
  const video = probe.streams?.find((s) => s.codec_type === 'video');
  if (!video?.width || !video.height) throw invalid('The file contains no video stream.');
  const duration = Number(probe.format?.duration);
  if (!Number.isFinite(duration) || duration <= 0) throw invalid('The video has no duration.');
  await checkVideoPackets(file, Number(video.nb_frames), options, invalid);
  return { ...format, width: video.width, height: video.height, duration };
}

/**
 * Reads every video packet of the file (demuxing only, no decoding, so it costs about one read of
 * the file). A file cut short keeps a complete header, which the first probe accepts, but then has
 * fewer packets than its header lists, and ffprobe reports the partial file.
 */
async function checkVideoPackets(
  file: string,
  headerFrames: number,
  options: InspectOptions,
  invalid: (message: string, cause?: unknown) => VidataError,
): Promise<void> {
  let result: { stdout: string; stderr: string };
  try {
    result = await runProbe(options.ffprobe, [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'packet=size',
      '-of',
      'csv=p=0',
      file,
    ]);
  } catch (cause) {
    throw invalid('The video cannot be read: it is damaged or incomplete.', cause);
  }
  const packets = result.stdout.split('\n').filter((line) => line.trim() !== '').length;
  const short = Number.isFinite(headerFrames) && headerFrames > 0 && packets < headerFrames;
  if (short || result.stderr.trim() !== '') {
    throw invalid(`The video is incomplete: ${packets} of its frames can be read.`, result.stderr.trim());
  }
}

/** Runs ffprobe and returns its standard output and error; rejects on a non-zero exit. */
function runProbe(ffprobe: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffprobe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0)
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      else
        reject(new Error(`ffprobe exited with ${code}: ${Buffer.concat(err).toString('utf8').slice(-500)}`));
    });
  });
}
