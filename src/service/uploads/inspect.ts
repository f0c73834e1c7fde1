/**
 * Checks an uploaded file by its bytes, never by its name or declared type: the first bytes give
 * the format. Images go through the render engine's own image check (header, pixel limit, a full
 * decode); clips are probed and normalized by `clip.ts`.
 */
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

export type Sniffed = { kind: 'image' | 'video'; contentType: string; extension: string };

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

/** Reads the file's first bytes and returns its format; UNSUPPORTED_MEDIA_TYPE for anything else. */
export async function readFormat(file: string): Promise<Sniffed> {
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
  return format;
}

/** Checks an image upload (header, pixel limit, a full decode) and returns its size. */
export async function inspectImageFile(file: string, format: Sniffed, maxPixels: number): Promise<MediaInfo> {
  const image = await inspectImage(file, { maxPixels, decode: true }, 'file');
  return { ...format, width: image.width, height: image.height, duration: undefined };
}
