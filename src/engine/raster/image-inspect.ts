/**
 * Checks an image file before anything decodes its pixels: the format from the file's first bytes
 * (never from its name), then the dimensions from its header against a pixel limit.
 */
import { open } from 'node:fs/promises';
import sharp, { type Metadata, type SharpOptions } from 'sharp';
import { VidataError } from '../../errors.ts';

/** Formats recognised from a file's first bytes. SVG is not among them: drawing it may load external resources. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'heic';

export interface ImageLimits {
  /**
   * Largest width x height accepted, checked from the header before decoding. The default of 50
   * million pixels bounds one decoded RGBA frame to about 200 MB.
   */
  maxPixels?: number;
  /**
   * Whether inspectImage also decodes the pixel data (into a small thumbnail) to reject truncated or
   * corrupt files and headers that declare more pixels than the data holds. Default: true.
   */
  decode?: boolean;
}

export interface ImageInfo {
  format: ImageFormat;
  /** Width and height as displayed, after the EXIF orientation is applied. */
  width: number;
  height: number;
}

export const DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;

/** Options given to every sharp instance reading untrusted images. */
export function sharpInputOptions(limits: ImageLimits): SharpOptions {
  return {
    // 'warning' is libvips' strictest level: a truncated or corrupt file fails instead of
    // decoding with grey or missing rows.
    failOn: 'warning',
    limitInputPixels: limits.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS,
    // Only the first frame of an animated GIF or WebP is read.
    pages: 1,
  };
}

/** Recognises a format from the first bytes of a file. */
export function sniffFormat(head: Buffer): ImageFormat | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  const ascii = head.toString('latin1');
  if (ascii.startsWith('GIF87a') || ascii.startsWith('GIF89a')) return 'gif';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'webp';
  // ISO base media file: a "ftyp" box listing a major brand, then compatible brands, each 4 bytes.
  // HEIF files coded with AV1 list "avif"; those coded with HEVC list "heic" or a relative.
  if (ascii.slice(4, 8) === 'ftyp') {
    const boxEnd = Math.min(head.readUInt32BE(0), head.length);
    const brands = [ascii.slice(8, 12)];
    for (let offset = 16; offset + 4 <= boxEnd; offset += 4) brands.push(ascii.slice(offset, offset + 4));
    if (brands.some((brand) => brand === 'avif' || brand === 'avis')) return 'avif';
    if (brands.some((brand) => /^(heic|heix|hevc|heim|heis|hevm|hevs|mif1|msf1)$/.test(brand))) return 'heic';
  }
  return undefined;
}

async function readHead(file: string, field: string | undefined): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    throw new VidataError('FILE_NOT_FOUND', `Image file ${file} cannot be read.`, { field, cause });
  }
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Returns whether this sharp build decodes HEVC-coded HEIF. The prebuilt sharp binaries (sharp 0.35) read
 * AVIF only, and list `.heic` among the HEIF input suffixes only when libheif has an HEVC decoder.
 */
function decodesHeic(): boolean {
  return sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;
}

/**
 * Returns the format and displayed size of an image file. Throws IMAGE_INVALID when the file is
 * not a JPEG, PNG, WebP, GIF, AVIF (or HEIC where sharp decodes it) image, when its header cannot be
 * read, or, with `decode`, when its pixel data is truncated or corrupt. Throws IMAGE_TOO_LARGE when
 * its header declares more than `maxPixels` and FILE_NOT_FOUND when it cannot be opened.
 */
export async function inspectImage(
  file: string,
  limits: ImageLimits = {},
  field?: string,
): Promise<ImageInfo> {
  const format = sniffFormat(await readHead(file, field));
  if (format === undefined) {
    throw new VidataError(
      'IMAGE_INVALID',
      'The file is not a JPEG, PNG, WebP, GIF or AVIF image (SVG and other formats are not accepted).',
      { field },
    );
  }
  if (format === 'heic' && !decodesHeic()) {
    throw new VidataError(
      'IMAGE_INVALID',
      'HEIC images cannot be read by this installation; convert the photo to JPEG first.',
      { field },
    );
  }

  let metadata: Metadata;
  try {
    // limitInputPixels is off here so a large header is reported as IMAGE_TOO_LARGE below.
    metadata = await sharp(file, { ...sharpInputOptions(limits), limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new VidataError(
      'IMAGE_INVALID',
      `The ${format} image cannot be read: ${(cause as Error).message}.`,
      {
        field,
        cause,
      },
    );
  }
  if (metadata.format === 'svg' || !metadata.width || !metadata.height) {
    throw new VidataError('IMAGE_INVALID', `The ${format} image has no readable dimensions.`, { field });
  }
  const maxPixels = limits.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  if (metadata.width * metadata.height > maxPixels) {
    throw new VidataError(
      'IMAGE_TOO_LARGE',
      `The image has ${metadata.width}x${metadata.height} pixels, more than the limit of ${maxPixels}.`,
      { field, details: { width: metadata.width, height: metadata.height, maxPixels } },
    );
  }
  if (limits.decode ?? true) await decodeThumbnail(file, format, limits, field);
  return { format, width: metadata.autoOrient.width, height: metadata.autoOrient.height };
}

/**
 * Decodes the whole first frame into a small thumbnail. Shrinking while decoding still reads every
 * byte of the data, so truncation is found without holding the full-size pixels in memory.
 */
async function decodeThumbnail(file: string, format: ImageFormat, limits: ImageLimits, field?: string) {
  try {
    await sharp(file, sharpInputOptions(limits)).resize(16, 16, { fit: 'inside' }).raw().toBuffer();
  } catch (cause) {
    throw new VidataError(
      'IMAGE_INVALID',
      `The ${format} image is corrupt or incomplete: ${(cause as Error).message}.`,
      { field, cause },
    );
  }
}
