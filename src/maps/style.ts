/**
 * Colours, fonts and marks shared by the offline and the tile map: the pin, the place label and
 * the credit line. Text is drawn by canvas with fonts the project ships, never system fonts.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { Coverage, readCoverage } from '../engine/raster/cmap.ts';
import { VidataError } from '../errors.ts';
import type { MapImageRequest } from '../engine/types.ts';

const require = createRequire(import.meta.url);

export type MapStyle = MapImageRequest['style'];

export interface ResolvedStyle {
  land: string;
  water: string;
  border: string;
  pin: string;
  label: string;
  /** A font alias registered by this module. */
  font: string;
  /** Characters the font draws; others would be drawn by a system font, so labels leave them out. */
  coverage: Coverage;
}

export const DEFAULT_STYLE: Omit<ResolvedStyle, 'font' | 'coverage'> = {
  land: '#f3f0e8',
  water: '#a9cfe0',
  border: '#8c8a99',
  pin: '#d7263d',
  label: '#2b2b2b',
};

/** A font family a template may name in its map style, and the file that draws it. */
export interface MapFont {
  family: string;
  /** Absolute path of a TrueType or OpenType file. */
  file: string;
  weight?: number;
}

/** Families shipped as npm packages, usable by name in any template's map style. */
const SHIPPED_FAMILIES: { family: string; packageName: string; prefix: string }[] = [
  { family: 'Noto Sans', packageName: '@expo-google-fonts/noto-sans', prefix: 'NotoSans' },
  { family: 'Inter', packageName: '@expo-google-fonts/inter', prefix: 'Inter' },
  { family: 'Montserrat', packageName: '@expo-google-fonts/montserrat', prefix: 'Montserrat' },
];
const DEFAULT_FAMILY = 'Noto Sans';

const registered = new Map<string, { alias: string; coverage: Coverage }>();

/** Registers a font file under an alias of this module (once per process) and returns the alias. */
function register(
  family: string,
  files: { file: string; weight: number }[],
): { alias: string; coverage: Coverage } {
  const known = registered.get(family);
  if (known) return known;
  const alias = `vidata-map-${registered.size}`;
  const ranges: [number, number][] = [];
  for (const { file, weight } of files) {
    if (GlobalFonts.registerFromPath(file, alias, { weight, style: 'normal' }) === null) continue;
    ranges.push(...coverageRanges(file));
  }
  if (ranges.length === 0) {
    throw new VidataError(
      'INTERNAL',
      `No font file of the family "${family}" could be read for the map labels.`,
    );
  }
  const font = { alias, coverage: new Coverage(ranges) };
  registered.set(family, font);
  return font;
}

/** Reads the code point ranges a font file covers, as pairs for `Coverage`. */
function coverageRanges(file: string): [number, number][] {
  const coverage = readCoverage(readFileSync(file));
  const ranges: [number, number][] = [];
  let start = -1;
  // Fonts of the shipped families cover the Basic Multilingual Plane at most, so scanning it is enough.
  for (let codePoint = 0; codePoint <= 0xffff; codePoint++) {
    const covered = coverage.has(codePoint);
    if (covered && start < 0) start = codePoint;
    if (!covered && start >= 0) {
      ranges.push([start, codePoint - 1]);
      start = -1;
    }
  }
  if (start >= 0) ranges.push([start, 0xffff]);
  return ranges;
}

/** Keeps the characters of `text` that the font draws, so that no system font fills a gap. */
export function printable(text: string, style: ResolvedStyle): string {
  return [...text]
    .filter((c) => style.coverage.has(c.codePointAt(0) ?? 0))
    .join('')
    .trim();
}

function registerShipped(family: string): { alias: string; coverage: Coverage } | undefined {
  const shipped = SHIPPED_FAMILIES.find((f) => f.family.toLowerCase() === family.toLowerCase());
  if (!shipped) return undefined;
  const folder = path.dirname(require.resolve(`${shipped.packageName}/package.json`));
  return register(shipped.family, [
    { file: path.join(folder, '400Regular', `${shipped.prefix}_400Regular.ttf`), weight: 400 },
    { file: path.join(folder, '600SemiBold', `${shipped.prefix}_600SemiBold.ttf`), weight: 600 },
  ]);
}

function registerDefault(): { alias: string; coverage: Coverage } {
  const font = registerShipped(DEFAULT_FAMILY);
  if (font === undefined)
    throw new VidataError('INTERNAL', `The default map font ${DEFAULT_FAMILY} is not declared.`);
  return font;
}

/**
 * Fills the template's style with defaults. The font is one of `fonts` (the template's own files),
 * a shipped family (Noto Sans, Inter, Montserrat) or, for any other name, Noto Sans.
 */
export function resolveStyle(style: MapStyle, fonts: readonly MapFont[] = []): ResolvedStyle {
  const wanted = style.font ?? DEFAULT_FAMILY;
  const own = fonts.filter((f) => f.family === wanted);
  const font =
    own.length > 0
      ? register(
          `template:${wanted}:${own.map((f) => f.file).join('|')}`,
          own.map((f) => ({ file: f.file, weight: f.weight ?? 400 })),
        )
      : (registerShipped(wanted) ?? registerDefault());
  return {
    land: style.land ?? DEFAULT_STYLE.land,
    water: style.water ?? DEFAULT_STYLE.water,
    border: style.border ?? DEFAULT_STYLE.border,
    pin: style.pin ?? DEFAULT_STYLE.pin,
    label: style.label ?? DEFAULT_STYLE.label,
    font: font.alias,
    coverage: font.coverage,
  };
}

/** Sizes in pixels scaled to the image, so that a 1920-pixel map and a 320-pixel one look alike. */
export function unit(width: number, height: number): number {
  return Math.max(0.5, Math.min(width, height) / 400);
}

/** Draws a teardrop pin whose tip is at (x, y). */
export function drawPin(ctx: SKRSContext2D, x: number, y: number, color: string, size: number): void {
  const radius = 11 * size;
  const centerY = y - 2.6 * radius;
  ctx.save();
  ctx.shadowColor = 'rgba(0, 0, 0, 0.35)';
  ctx.shadowBlur = 4 * size;
  ctx.shadowOffsetY = 1.5 * size;
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.bezierCurveTo(
    x - 0.3 * radius,
    y - 1.2 * radius,
    x - radius,
    centerY + 0.8 * radius,
    x - radius,
    centerY,
  );
  ctx.arc(x, centerY, radius, Math.PI, 0);
  ctx.bezierCurveTo(x + radius, centerY + 0.8 * radius, x + 0.3 * radius, y - 1.2 * radius, x, y);
  ctx.closePath();
  ctx.fillStyle = color;
  ctx.fill();
  ctx.restore();
  ctx.beginPath();
  ctx.arc(x, centerY, radius * 0.42, 0, 2 * Math.PI);
  ctx.fillStyle = '#ffffff';
  ctx.fill();
}

/** Text with a halo of `halo` so that it reads on any background. Returns its box. */
export function drawLabel(
  ctx: SKRSContext2D,
  text: string,
  options: {
    x: number;
    y: number;
    size: number;
    weight: number;
    font: string;
    color: string;
    halo: string;
    align?: 'left' | 'center' | 'right';
  },
): { left: number; top: number; right: number; bottom: number } {
  ctx.font = `${options.weight} ${options.size}px ${options.font}`;
  ctx.textAlign = options.align ?? 'left';
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  ctx.lineWidth = Math.max(2, options.size / 4);
  ctx.strokeStyle = options.halo;
  ctx.strokeText(text, options.x, options.y);
  ctx.fillStyle = options.color;
  ctx.fillText(text, options.x, options.y);
  const width = ctx.measureText(text).width;
  const left =
    options.align === 'center'
      ? options.x - width / 2
      : options.align === 'right'
        ? options.x - width
        : options.x;
  return {
    left,
    top: options.y - options.size * 0.6,
    right: left + width,
    bottom: options.y + options.size * 0.6,
  };
}

/** Draws the credit line in the bottom-right corner, on a light band. */
export function drawCredit(
  ctx: SKRSContext2D,
  text: string,
  options: { width: number; height: number; font: string; size: number },
): void {
  const fontSize = Math.max(9, Math.round(9 * options.size));
  ctx.font = `400 ${fontSize}px ${options.font}`;
  const padding = fontSize * 0.4;
  const textWidth = Math.min(ctx.measureText(text).width, options.width - 2 * padding);
  ctx.fillStyle = 'rgba(255, 255, 255, 0.75)';
  ctx.fillRect(
    options.width - textWidth - 2 * padding,
    options.height - fontSize - 2 * padding,
    textWidth + 2 * padding,
    fontSize + 2 * padding,
  );
  ctx.fillStyle = '#333333';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'bottom';
  ctx.fillText(text, options.width - padding, options.height - padding, options.width - 2 * padding);
}
