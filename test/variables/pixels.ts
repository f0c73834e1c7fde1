/**
 * Pixel arithmetic of the variable cases: decoded frames and expected rasters as packed RGB, regions,
 * mean absolute differences and ink bounds over a known background colour.
 */
import sharp from 'sharp';

/** Packed 8-bit RGB pixels. */
export interface Rgb {
  data: Buffer;
  width: number;
  height: number;
}

export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Colour = [number, number, number];

export function parseColour(hex: string): Colour {
  const value = Number.parseInt(hex.slice(1, 7), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** Composites a PNG with transparency over a plain colour, as the video shows it. */
export async function flattenOver(png: Buffer, background: Colour): Promise<Rgb> {
  const [r, g, b] = background;
  const { data, info } = await sharp(png)
    .flatten({ background: { r, g, b } })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Makes an image of one colour. */
export function plain(width: number, height: number, colour: Colour): Rgb {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(colour, i);
  return { data, width, height };
}

export function pixel(image: Rgb, x: number, y: number): Colour {
  const i = (y * image.width + x) * 3;
  return [image.data[i] as number, image.data[i + 1] as number, image.data[i + 2] as number];
}

/** Mean colour of the (2r+1)² pixels around (x, y), so one pixel of codec noise does not decide. */
export function patchMean(image: Rgb, x: number, y: number, r = 1): Colour {
  const sum: Colour = [0, 0, 0];
  let count = 0;
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      const px = Math.min(image.width - 1, Math.max(0, x + dx));
      const py = Math.min(image.height - 1, Math.max(0, y + dy));
      const [cr, cg, cb] = pixel(image, px, py);
      sum[0] += cr;
      sum[1] += cg;
      sum[2] += cb;
      count++;
    }
  }
  return [Math.round(sum[0] / count), Math.round(sum[1] / count), Math.round(sum[2] / count)];
}

/**
 * Mean absolute difference per channel between `frame` inside `region` and `expected`, whose pixel
 * (0, 0) lies at (`region.x - offset.x`, `region.y - offset.y`) of the frame.
 */
export function meanDifference(
  frame: Rgb,
  region: Region,
  expected: Rgb,
  offset: { x: number; y: number },
): number {
  let sum = 0;
  for (let y = 0; y < region.h; y++) {
    for (let x = 0; x < region.w; x++) {
      const a = pixel(frame, region.x + x, region.y + y);
      const b = pixel(expected, region.x - offset.x + x, region.y - offset.y + y);
      sum += Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]);
    }
  }
  return sum / (region.w * region.h * 3);
}

/**
 * Counts the pixels of `frame` inside `region` whose luma differs from `expected` (placed as in
 * meanDifference) by more than `threshold`. A mean hides a missing accent or dot; this count does
 * not, because codec noise at glyph edges stays well below the threshold.
 */
export function strayPixels(
  frame: Rgb,
  region: Region,
  expected: Rgb,
  offset: { x: number; y: number },
  threshold = 80,
): number {
  const luma = ([r, g, b]: Colour) => 0.299 * r + 0.587 * g + 0.114 * b;
  let count = 0;
  for (let y = region.y; y < region.y + region.h; y++) {
    for (let x = region.x; x < region.x + region.w; x++) {
      const a = luma(pixel(frame, x, y));
      const b = luma(pixel(expected, x - offset.x, y - offset.y));
      if (Math.abs(a - b) > threshold) count++;
    }
  }
  return count;
}

/**
 * Returns the bounds of the pixels of `image` inside `region` that differ from `background` by more
 * than `threshold` on some channel, in the image's coordinates. Returns undefined when none does.
 */
export function inkBounds(
  image: Rgb,
  region: Region,
  background: Colour,
  threshold = 48,
): Region | undefined {
  let [left, top, right, bottom] = [Infinity, Infinity, -1, -1];
  for (let y = region.y; y < region.y + region.h; y++) {
    for (let x = region.x; x < region.x + region.w; x++) {
      const c = pixel(image, x, y);
      if (!c.some((value, i) => Math.abs(value - (background[i] as number)) > threshold)) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  if (right < 0) return undefined;
  return { x: left, y: top, w: right - left + 1, h: bottom - top + 1 };
}

/** Grows `region` by `margin` pixels on every side, within `width` x `height`. */
export function grow(region: Region, margin: number, width: number, height: number): Region {
  const x = Math.max(0, region.x - margin);
  const y = Math.max(0, region.y - margin);
  return {
    x,
    y,
    w: Math.min(width, region.x + region.w + margin) - x,
    h: Math.min(height, region.y + region.h + margin) - y,
  };
}

/** Pixels whose channels spread by more than `spread`: colour, which white text on dark blue never has. */
export function saturatedCount(image: Rgb, region: Region, spread = 120): number {
  let count = 0;
  for (let y = region.y; y < region.y + region.h; y++) {
    for (let x = region.x; x < region.x + region.w; x++) {
      const c = pixel(image, x, y);
      if (Math.max(...c) - Math.min(...c) > spread) count++;
    }
  }
  return count;
}
