/**
 * Image layers to pixels: an image file is decoded strictly, turned upright, converted to 8-bit
 * sRGB and fitted to exactly the layer's size as a PNG with transparency.
 */
import { createCanvas } from '@napi-rs/canvas';
import sharp, { type Sharp } from 'sharp';
import { VidataError } from '../../errors.ts';
import { inspectImage, sharpInputOptions, type ImageLimits } from './image-inspect.ts';

export { DEFAULT_MAX_IMAGE_PIXELS, inspectImage, type ImageInfo, type ImageLimits } from './image-inspect.ts';

export interface RasterizeImageOptions {
  file: string;
  width: number;
  height: number;
  /** `cover` fills the size and crops, `contain` shows the whole image with transparent bars. */
  fit: 'cover' | 'contain';
  /** Point of the image kept in view by `cover`, from 0 to 1 on each axis. Default: the centre. */
  focalPoint?: { x: number; y: number };
  /** Corner radius in pixels; half the smaller side makes a circle or a pill. */
  radius?: number;
  limits?: ImageLimits;
  /** The input field named by errors, e.g. `variables.IMG_PHOTO`. */
  field?: string;
}

/**
 * Returns a PNG of exactly width x height pixels. Throws IMAGE_INVALID for a file that is not an
 * accepted image or fails to decode completely, IMAGE_TOO_LARGE above the pixel limit and
 * FILE_NOT_FOUND when it cannot be opened. No partly decoded image is ever returned.
 */
export async function rasterizeImage(options: RasterizeImageOptions): Promise<Buffer> {
  const { width, height, field } = options;
  // The decode below is strict, so inspectImage only checks the format and the header here.
  const info = await inspectImage(options.file, { ...options.limits, decode: false }, field);

  // autoOrient applies the EXIF orientation before any other step, so the sizes below are upright.
  let pipeline = sharp(options.file, { ...sharpInputOptions(options.limits ?? {}), autoOrient: true })
    .toColourspace('srgb')
    .ensureAlpha();

  if (options.fit === 'contain') {
    pipeline = pipeline.resize(width, height, {
      fit: 'contain',
      background: { r: 0, g: 0, b: 0, alpha: 0 },
    });
  } else {
    const crop = coverCrop(info, options);
    pipeline = pipeline
      .resize(crop.scaledWidth, crop.scaledHeight, { fit: 'fill' })
      .extract({ left: crop.left, top: crop.top, width, height });
  }

  const radius = Math.min(options.radius ?? 0, width / 2, height / 2);
  if (radius > 0) {
    pipeline = sharp(await decode(pipeline, info.format, field)).composite([
      { input: await roundedMask(width, height, radius), blend: 'dest-in' },
    ]);
  }
  return decode(pipeline, info.format, field);
}

async function decode(pipeline: Sharp, format: string, field: string | undefined): Promise<Buffer> {
  try {
    return await pipeline.png().toBuffer();
  } catch (cause) {
    throw new VidataError(
      'IMAGE_INVALID',
      `The ${format} image is corrupt or incomplete: ${(cause as Error).message}.`,
      { field, cause },
    );
  }
}

/**
 * Computes the scaled size and crop of `cover`: the image is scaled to cover the target, then the target's
 * window is centred on the focal point and moved back inside the image where it would stick out.
 */
export function coverCrop(
  source: { width: number; height: number },
  target: { width: number; height: number; focalPoint?: { x: number; y: number } },
): { scaledWidth: number; scaledHeight: number; left: number; top: number } {
  const scale = Math.max(target.width / source.width, target.height / source.height);
  const scaledWidth = Math.max(target.width, Math.round(source.width * scale));
  const scaledHeight = Math.max(target.height, Math.round(source.height * scale));
  const focus = target.focalPoint ?? { x: 0.5, y: 0.5 };
  const clamp = (value: number, max: number) => Math.min(Math.max(Math.round(value), 0), max);
  return {
    scaledWidth,
    scaledHeight,
    left: clamp(focus.x * scaledWidth - target.width / 2, scaledWidth - target.width),
    top: clamp(focus.y * scaledHeight - target.height / 2, scaledHeight - target.height),
  };
}

/** Draws an opaque rounded rectangle on transparency, used as an alpha mask. */
async function roundedMask(width: number, height: number, radius: number): Promise<Buffer> {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.beginPath();
  ctx.roundRect(0, 0, width, height, radius);
  ctx.fill();
  return canvas.encode('png');
}
