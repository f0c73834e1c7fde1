/** Shared helpers of the raster tests: a template folder with real fonts, and pixel inspection. */
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadFonts, type FontSet } from '../../src/engine/raster/fonts.ts';
import { loadTemplate, type Template } from '../../src/template/load.ts';
import { textStyleSchema, type TextStyle } from '../../src/template/schema.ts';

const require = createRequire(import.meta.url);

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/images');

/** Path of a font file shipped in an installed npm package. */
export function packageFont(packageName: string, relative: string): string {
  return path.join(path.dirname(require.resolve(`${packageName}/package.json`)), relative);
}

/**
 * Makes a template folder whose fonts are "Brand" (Montserrat regular and bold, copied from the
 * installed npm package) and returns the loaded template. The folder also contains `alt-regular.ttf`
 * (Inter) for templates that declare a second family. `extra` is merged into template.json.
 */
export async function makeFontTemplate(extra: Record<string, unknown> = {}): Promise<Template> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vidata-raster-'));
  await copyFile(
    packageFont('@expo-google-fonts/montserrat', '400Regular/Montserrat_400Regular.ttf'),
    path.join(dir, 'brand-regular.ttf'),
  );
  await copyFile(
    packageFont('@expo-google-fonts/montserrat', '700Bold/Montserrat_700Bold.ttf'),
    path.join(dir, 'brand-bold.ttf'),
  );
  await copyFile(
    packageFont('@expo-google-fonts/inter', '400Regular/Inter_400Regular.ttf'),
    path.join(dir, 'alt-regular.ttf'),
  );
  const json = {
    formatVersion: 1,
    name: 'raster test',
    output: { width: 320, height: 180, fps: 25 },
    fonts: [
      { family: 'Brand', file: 'brand-regular.ttf' },
      { family: 'Brand', file: 'brand-bold.ttf', weight: 700 },
    ],
    variables: [{ Name: 'TXT_USEREMAIL' }],
    scenes: [{ duration: 1, background: { color: '#000000' }, layers: [] }],
    ...extra,
  };
  await writeFile(path.join(dir, 'template.json'), JSON.stringify(json));
  return loadTemplate(dir);
}

let brandFonts: Promise<FontSet> | undefined;

/** Returns the FontSet of the default test template, loaded once per test file. */
export function testFonts(): Promise<FontSet> {
  brandFonts ??= makeFontTemplate().then(loadFonts);
  return brandFonts;
}

/** Builds a full text style with the schema's defaults and the font "Brand". */
export function style(overrides: Partial<TextStyle> & { size: number }): TextStyle {
  return textStyleSchema.parse({ font: 'Brand', ...overrides });
}

export interface Pixels {
  width: number;
  height: number;
  channels: number;
  data: Buffer;
  at(x: number, y: number): [number, number, number, number];
}

/** Decodes a PNG to RGBA pixels. */
export async function decodePixels(png: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: info.channels,
    data,
    at(x, y) {
      const offset = (y * info.width + x) * info.channels;
      return [data[offset]!, data[offset + 1]!, data[offset + 2]!, data[offset + 3]!];
    },
  };
}

export interface InkBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Bounding box of the pixels with alpha above `threshold` (inclusive edges), or undefined if none. */
export function inkBox(pixels: Pixels, threshold = 0): InkBox | undefined {
  let box: InkBox | undefined;
  for (let y = 0; y < pixels.height; y++) {
    for (let x = 0; x < pixels.width; x++) {
      if (pixels.at(x, y)[3] <= threshold) continue;
      if (box === undefined) box = { left: x, top: y, right: x, bottom: y };
      else {
        box.left = Math.min(box.left, x);
        box.top = Math.min(box.top, y);
        box.right = Math.max(box.right, x);
        box.bottom = Math.max(box.bottom, y);
      }
    }
  }
  return box;
}

/** Columns that contain ink, as runs `[first, last]` separated by at least `gap` empty columns. */
export function inkRuns(pixels: Pixels, gap: number): [number, number][] {
  const runs: [number, number][] = [];
  let emptySince = Infinity;
  for (let x = 0; x < pixels.width; x++) {
    let inked = false;
    for (let y = 0; y < pixels.height && !inked; y++) inked = pixels.at(x, y)[3] > 0;
    if (!inked) {
      emptySince = Math.min(emptySince, x);
      continue;
    }
    const last = runs.at(-1);
    if (last && x - emptySince < gap) last[1] = x;
    else runs.push([x, x]);
    emptySince = Infinity;
  }
  return runs;
}

/**
 * Mean absolute alpha difference between the columns `[left, right]` of `a` and the ink of `b`
 * placed at the same left edge, over the full height (lower is more alike).
 */
export function alphaDistance(a: Pixels, range: [number, number], b: Pixels): number {
  const bBox = inkBox(b);
  if (!bBox) return Infinity;
  let total = 0;
  let count = 0;
  for (let dx = 0; dx <= range[1] - range[0]; dx++) {
    for (let y = 0; y < a.height; y++) {
      const bx = bBox.left + dx;
      const bAlpha = bx < b.width ? b.at(bx, y)[3] : 0;
      total += Math.abs(a.at(range[0] + dx, y)[3] - bAlpha);
      count++;
    }
  }
  return total / count;
}

/** Number of pixels with alpha above zero. */
export function inkCount(pixels: Pixels): number {
  let count = 0;
  for (let i = 3; i < pixels.data.length; i += pixels.channels) if (pixels.data[i]! > 0) count++;
  return count;
}
