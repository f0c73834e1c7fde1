/**
 * Text layers to pixels. The text is fitted into its box (shrink, wrap, then the style's overflow
 * policy) and drawn on a transparent canvas of exactly the box's size. Every glyph's ink, its shadow
 * included, stays inside the box.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { VidataError } from '../../errors.ts';
import type { TextStyle } from '../../template/schema.ts';
import { assertSupportedText } from './coverage.ts';
import { fontFamilyList, type FontSet } from './fonts.ts';
import { ellipsize, wrapText, type Direction, type LineInk } from './text-wrap.ts';

export interface TextRaster {
  png: Buffer;
  width: number;
  height: number;
  /** Font size the text was drawn at, in pixels. */
  fontSize: number;
  /** The lines drawn, after case mapping, wrapping and ellipsis. Empty when nothing is drawn. */
  lines: string[];
}

export interface RasterizeTextOptions {
  text: string;
  style: TextStyle;
  box: { w: number; h: number };
  fonts: FontSet;
  /** The input field named by errors, e.g. `variables.TXT_NAME`. */
  field?: string;
}

/**
 * Pixels kept free on each side of the box. Canvas reports ink bounds in whole pixels while
 * anti-aliasing can colour one more pixel, so the layout leaves this much room.
 */
const ANTIALIAS_MARGIN = 1;
/** Sizes tried between `size` and `minSize` differ by this many pixels. */
const SIZE_STEP = 0.5;

interface Layout {
  fontSize: number;
  lines: string[];
  directions: Direction[];
}

interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Draws `text` in a transparent PNG of box.w x box.h pixels (each rounded up). Empty or white-space
 * only text draws nothing. Throws TEXT_DOES_NOT_FIT when the style's overflow is `reject` and the
 * text does not fit at `minSize`, or when the box cannot hold one line at the size the policy uses.
 */
export async function rasterizeText(options: RasterizeTextOptions): Promise<TextRaster> {
  const width = Math.ceil(options.box.w);
  const height = Math.ceil(options.box.h);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const { layout, area } = layOut(ctx, options);
  if (layout.lines.length > 0) drawLines({ ctx, layout, area, options });
  const png = await canvas.encode('png');
  return { png, width, height, fontSize: layout.fontSize, lines: layout.lines };
}

/** Measures text only; the layout does not depend on the canvas size, so one small canvas serves. */
let measuringContext: SKRSContext2D | undefined;

/**
 * Lays `text` out exactly as `rasterizeText` does and raises the same errors, without drawing or
 * encoding a PNG (which costs about ten times the layout). The API checks each sent text with it.
 */
export function layoutText(options: RasterizeTextOptions): { fontSize: number; lines: string[] } {
  measuringContext ??= createCanvas(1, 1).getContext('2d');
  const { layout } = layOut(measuringContext, options);
  return { fontSize: layout.fontSize, lines: layout.lines };
}

function layOut(ctx: SKRSContext2D, options: RasterizeTextOptions): { layout: Layout; area: Area } {
  checkLanguage(options.style.lang);
  const text = transformCase(options.text, options.style);
  const area = drawableArea(Math.ceil(options.box.w), Math.ceil(options.box.h), options.style);
  if (isBlank(text)) return { layout: { fontSize: options.style.size, lines: [], directions: [] }, area };
  assertSupportedText({ text, fonts: options.fonts, family: options.style.font, field: options.field });
  return { layout: fitText({ ctx, text, area, options }), area };
}

/** Throws TEMPLATE_INVALID for a `lang` that is not a BCP 47 tag, which Intl would reject mid-render. */
function checkLanguage(lang: string | undefined): void {
  if (lang === undefined) return;
  try {
    Intl.getCanonicalLocales(lang);
  } catch (cause) {
    throw new VidataError(
      'TEMPLATE_INVALID',
      `The text style's lang "${lang}" is not a BCP 47 language tag such as "tr" or "pt-BR".`,
      { field: 'style.lang', cause },
    );
  }
}

/** True when the text has nothing to draw: only white space, controls and invisible format characters. */
function isBlank(text: string): boolean {
  return /^[\s\p{Cc}\p{Default_Ignorable_Code_Point}]*$/u.test(text);
}

function transformCase(text: string, style: TextStyle): string {
  if (style.transform === 'uppercase') return text.toLocaleUpperCase(style.lang);
  if (style.transform === 'lowercase') return text.toLocaleLowerCase(style.lang);
  return text;
}

/** Returns the part of the box the text's ink may cover: the box minus the shadow's reach and a margin. */
function drawableArea(width: number, height: number, style: TextStyle): Area {
  const shadow = style.shadow;
  const reach = shadow === undefined || shadow.blur === 0 ? 0 : shadowReach(shadow.blur);
  const dx = shadow?.x ?? 0;
  const dy = shadow?.y ?? 0;
  const left = Math.max(0, reach - dx) + ANTIALIAS_MARGIN;
  const right = Math.max(0, reach + dx) + ANTIALIAS_MARGIN;
  const top = Math.max(0, reach - dy) + ANTIALIAS_MARGIN;
  const bottom = Math.max(0, reach + dy) + ANTIALIAS_MARGIN;
  return { x: left, y: top, width: width - left - right, height: height - top - bottom };
}

/**
 * Returns how far a shadow's visible pixels spread around its offset copy of the glyphs. Measured
 * with @napi-rs/canvas 1.2.1 on a filled square, the spread is at most `blur + 3` pixels for blurs
 * from 0.5 to 100 (for example 3 for 2, 27 for 24, 71 for 100); this bound stays above it.
 */
function shadowReach(blur: number): number {
  return Math.ceil(blur * 1.15) + 2;
}

/** Sets the context's font for `fontSize`, with letter spacing scaled from the style's size. */
function applyFont(
  ctx: SKRSContext2D,
  style: TextStyle,
  fonts: FontSet,
  fontSize: number,
  field?: string,
): void {
  const families = fontFamilyList(fonts, style.font, field);
  ctx.font = `${style.italic ? 'italic ' : ''}${style.weight} ${fontSize}px ${families}`;
  ctx.letterSpacing = `${(style.letterSpacing * fontSize) / style.size}px`;
  // A fixed language keeps the output independent of the host's locale.
  ctx.lang = style.lang ?? 'en';
}

function measurer(ctx: SKRSContext2D): (line: string) => LineInk {
  return (line) => {
    const metrics = ctx.measureText(line);
    return { left: metrics.actualBoundingBoxLeft, right: metrics.actualBoundingBoxRight };
  };
}

/** Vertical ink extent of lines laid out from y = 0, and the baseline of each line. */
function verticalLayout(ctx: SKRSContext2D, lines: readonly string[], fontSize: number, lineHeight: number) {
  const pitch = fontSize * lineHeight;
  const font = ctx.measureText('Hg');
  const ascent = font.fontBoundingBoxAscent;
  const descent = font.fontBoundingBoxDescent;
  // Like CSS, the space between lines is split evenly above and below the font's own height.
  const halfLeading = (pitch - ascent - descent) / 2;
  const baselines = lines.map((_, i) => i * pitch + halfLeading + ascent);
  let inkTop = Infinity;
  let inkBottom = -Infinity;
  lines.forEach((line, i) => {
    const baseline = baselines[i] as number;
    const metrics = ctx.measureText(line === '' ? ' ' : line);
    inkTop = Math.min(inkTop, baseline - metrics.actualBoundingBoxAscent);
    inkBottom = Math.max(inkBottom, baseline + metrics.actualBoundingBoxDescent);
  });
  return { baselines, blockHeight: lines.length * pitch, inkTop, inkBottom };
}

function fitsVertically(
  ctx: SKRSContext2D,
  lines: readonly string[],
  fontSize: number,
  style: TextStyle,
  area: Area,
) {
  const v = verticalLayout(ctx, lines, fontSize, style.lineHeight);
  return v.inkBottom - v.inkTop <= area.height;
}

/** Sizes to try, largest first: `size`, then down by SIZE_STEP to `minSize` (default: half of size). */
function candidateSizes(style: TextStyle): number[] {
  const minSize = Math.min(style.minSize ?? style.size / 2, style.size);
  const sizes: number[] = [];
  for (let size = style.size; size > minSize; size -= SIZE_STEP) sizes.push(size);
  sizes.push(minSize);
  return sizes;
}

/**
 * Chooses the font size and lines. `shrink` and `reject` take the largest candidate size at which
 * the wrapped text fits in `maxLines` lines and in the area. When none fits, `shrink` ellipsizes at
 * `minSize` and `reject` throws. `ellipsis` never shrinks: it ellipsizes at `size`.
 */
function fitText(params: {
  ctx: SKRSContext2D;
  text: string;
  area: Area;
  options: RasterizeTextOptions;
}): Layout {
  const { ctx, text, area, options } = params;
  const { style, fonts, field } = options;
  const fitsAt = (fontSize: number): Layout | undefined => {
    applyFont(ctx, style, fonts, fontSize, field);
    const wrapped = wrapText({ text, width: area.width, measure: measurer(ctx), lang: style.lang });
    if (!wrapped.allFit || wrapped.lines.length > style.maxLines) return undefined;
    if (!fitsVertically(ctx, wrapped.lines, fontSize, style, area)) return undefined;
    return { fontSize, lines: wrapped.lines, directions: wrapped.directions };
  };

  if (style.overflow === 'ellipsis') {
    return fitsAt(style.size) ?? ellipsizeAt(ctx, text, area, style.size, options);
  }

  const sizes = candidateSizes(style);
  const minSize = sizes.at(-1) as number;
  // Fitting is nearly monotonic in the size (only a shift of line breaks can make a larger size
  // fit where a smaller one does not), so a binary search finds a fitting size, nearly always the
  // largest, in a few layouts. The smallest size is checked first: when it fails, nothing fits.
  let best = fitsAt(minSize);
  if (best === undefined) {
    if (style.overflow === 'reject') {
      throw new VidataError(
        'TEXT_DOES_NOT_FIT',
        `The text "${options.text}" does not fit in its ${options.box.w}x${options.box.h} box in ` +
          `${style.maxLines} line(s) at ${minSize}px or more.`,
        { field },
      );
    }
    return ellipsizeAt(ctx, text, area, minSize, options);
  }
  let low = 0;
  let high = sizes.length - 2;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const layout = fitsAt(sizes[middle] as number);
    if (layout) {
      best = layout;
      high = middle - 1;
    } else {
      low = middle + 1;
    }
  }
  return best;
}

/**
 * Lays the text out at `fontSize` in as many lines as both `maxLines` and the area's height allow,
 * cutting every line too wide with an ellipsis and ending the last line with one when text was dropped.
 */
function ellipsizeAt(
  ctx: SKRSContext2D,
  text: string,
  area: Area,
  fontSize: number,
  options: RasterizeTextOptions,
): Layout {
  const { style, fonts, field } = options;
  applyFont(ctx, style, fonts, fontSize, field);
  const measure = measurer(ctx);
  const wrapped = wrapText({ text, width: area.width, measure, lang: style.lang });
  let count = Math.min(style.maxLines, wrapped.lines.length);
  while (count > 0 && !fitsVertically(ctx, wrapped.lines.slice(0, count), fontSize, style, area)) count -= 1;
  if (count === 0) {
    throw new VidataError(
      'TEXT_DOES_NOT_FIT',
      `The ${options.box.w}x${options.box.h} box is too small for one line of text at ${fontSize}px.`,
      { field },
    );
  }
  const dropped = wrapped.lines.length > count;
  const lines = wrapped.lines.slice(0, count).map((line, i) => {
    if (!dropped || i < count - 1) return ellipsize({ line, width: area.width, measure, force: false });
    // The last line shows as much of the rest of its paragraph as fits, then the ellipsis.
    return ellipsize({ line: wrapped.rests[i] as string, width: area.width, measure, force: true });
  });
  return { fontSize, lines, directions: wrapped.directions.slice(0, count) };
}

function drawLines(params: {
  ctx: SKRSContext2D;
  layout: Layout;
  area: Area;
  options: RasterizeTextOptions;
}): void {
  const { ctx, layout, area, options } = params;
  const { style, fonts, field } = options;
  applyFont(ctx, style, fonts, layout.fontSize, field);
  const v = verticalLayout(ctx, layout.lines, layout.fontSize, style.lineHeight);

  let top = area.y;
  if (style.valign === 'middle') top = area.y + (area.height - v.blockHeight) / 2;
  if (style.valign === 'bottom') top = area.y + area.height - v.blockHeight;
  // Tall glyphs or a small lineHeight can push ink outside the line boxes: move the block back in.
  top = Math.max(top, area.y - v.inkTop);
  top = Math.min(top, area.y + area.height - v.inkBottom);

  ctx.fillStyle = style.color;
  if (style.shadow) {
    ctx.shadowColor = style.shadow.color;
    ctx.shadowBlur = style.shadow.blur;
    ctx.shadowOffsetX = style.shadow.x;
    ctx.shadowOffsetY = style.shadow.y;
  }
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  const spacing = (style.letterSpacing * layout.fontSize) / style.size;

  layout.lines.forEach((line, i) => {
    if (line === '') return;
    // The base direction orders runs of mixed direction (Latin words inside Hebrew or Arabic text); textAlign 'left' keeps x the
    // left edge of the line in both directions.
    ctx.direction = layout.directions[i] ?? 'ltr';
    const metrics = ctx.measureText(line);
    // Canvas adds the letter spacing after the last glyph too; it is no part of the line's width.
    const advance = metrics.width - spacing;
    let x = area.x;
    if (style.align === 'center') x = area.x + (area.width - advance) / 2;
    if (style.align === 'right') x = area.x + area.width - advance;
    x = Math.max(x, area.x + metrics.actualBoundingBoxLeft);
    x = Math.min(x, area.x + area.width - metrics.actualBoundingBoxRight);
    ctx.fillText(line, x, top + (v.baselines[i] as number));
  });
}
