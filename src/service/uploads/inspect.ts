/**
 * Checks an uploaded file by its bytes, never by its name or declared type: the first bytes give
 * the format, then sharp (images) or ffprobe (videos) read it fully enough to reject broken files.
 */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import sharp from 'sharp';
import { VidataError } from '../../errors.ts';

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

/** Recognizes the format from the file's first bytes; undefined for anything else. */
export function sniffFormat(head: Buffer): Sniffed | undefined {
  const ascii = (start: number, end: number) => head.subarray(start, end).toString('latin1');
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff)
    return { kind: 'image', contentType: 'image/jpeg', extension: 'jpg' };
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return { kind: 'image', contentType: 'image/png', extension: 'png' };
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')
    return { kind: 'image', contentType: 'image/gif', extension: 'gif' };
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP')
    return { kind: 'image', contentType: 'image/webp', extension: 'webp' };
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
      'The file is neither a JPEG, PNG, WebP or GIF image nor an MP4, MOV or WebM video.',
      { field: 'file' },
    );
  }
  return format.kind === 'image'
    ? inspectImageFile(file, format, options)
    : inspectVideoFile(file, format, options);
}

async function inspectImageFile(file: string, format: Sniffed, options: InspectOptions): Promise<MediaInfo> {
  let metadata: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    // The header is read without a pixel limit so an oversized image gets its own error code.
    metadata = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new VidataError('IMAGE_INVALID', 'The image cannot be read: it is damaged or incomplete.', {
      field: 'file',
      cause,
    });
  }
  const width = metadata.width;
  const height = metadata.height;
  if (!width || !height) {
    throw new VidataError('IMAGE_INVALID', 'The image has no dimensions.', { field: 'file' });
  }
  if (width * height > options.maxImagePixels) {
    throw new VidataError(
      'IMAGE_TOO_LARGE',
      `The image is ${width}x${height} pixels; the maximum is ${options.maxImagePixels} pixels in all.`,
      { field: 'file', details: { width, height, maxPixels: options.maxImagePixels } },
    );
  }
  try {
    // Decoding every pixel once catches truncated files, which a header read alone accepts.
    await sharp(file, { limitInputPixels: options.maxImagePixels, failOn: 'truncated', pages: 1 }).stats();
  } catch (cause) {
    throw new VidataError('IMAGE_INVALID', 'The image cannot be decoded: it is damaged or incomplete.', {
      field: 'file',
      cause,
    });
  }
  // EXIF orientations 5 to 8 turn the picture by a quarter, so the displayed width is the stored height.
  const turned = (metadata.orientation ?? 1) >= 5;
  return {
    ...format,
    width: turned ? height : width,
    height: turned ? width : height,
    duration: undefined,
  };
}

interface ProbeOutput {
  streams?: { codec_type?: string; width?: number; height?: number }[];
  format?: { duration?: string };
}

async function inspectVideoFile(file: string, format: Sniffed, options: InspectOptions): Promise<MediaInfo> {
  const invalid = (message: string, cause?: unknown) =>
    new VidataError('VIDEO_INVALID', message, { field: 'file', cause });
  let probe: ProbeOutput;
  try {
    const text = await runProbe(options.ffprobe, [
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
  return { ...format, width: video.width, height: video.height, duration };
}

/** Runs ffprobe and returns its standard output; rejects on a non-zero exit. */
function runProbe(ffprobe: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffprobe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else
        reject(new Error(`ffprobe exited with ${code}: ${Buffer.concat(err).toString('utf8').slice(-500)}`));
    });
  });
}
