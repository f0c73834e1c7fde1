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

/**
 * Raises the errors `rasterizeText` would raise for these options, and nothing else: the create
 * call checks every sent text with it. Only the policy's smallest size decides whether a text can
 * be drawn, so one layout at that size decides, where the render searches every size for the
 * largest. Before that layout, a plain text that clearly fits on one line is accepted from cached
 * glyph measures (see `clearlyFitsOnOneLine`), without asking the canvas to lay it out.
 */
export function checkText(options: RasterizeTextOptions): void {
  const { style } = options;
  checkLanguage(style.lang);
  const text = transformCase(options.text, style);
  const area = drawableArea(Math.ceil(options.box.w), Math.ceil(options.box.h), style);
  if (isBlank(text)) return;
  assertSupportedText({ text, fonts: options.fonts, family: style.font, field: options.field });
  const size = style.overflow === 'ellipsis' ? style.size : smallestSize(style);
  measuringContext ??= createCanvas(1, 1).getContext('2d');
  if (clearlyFitsOnOneLine(measuringContext, text, area, size, options)) return;
  if (layoutAt(measuringContext, text, area, size, options)) return;
  if (style.overflow === 'reject') throw doesNotFit(options, size);
  ellipsizeAt(measuringContext, text, area, size, options);
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

/** Returns the smallest size shrinking may reach: `minSize`, by default half of `size`. */
function smallestSize(style: TextStyle): number {
  return Math.min(style.minSize ?? style.size / 2, style.size);
}

/** Sizes to try, largest first: `size`, then down by SIZE_STEP to the smallest size. */
function candidateSizes(style: TextStyle): number[] {
  const minSize = smallestSize(style);
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
  const { style } = options;
  const fitsAt = (fontSize: number) => layoutAt(ctx, text, area, fontSize, options);

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
    if (style.overflow === 'reject') throw doesNotFit(options, minSize);
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

/** Returns the layout at `fontSize` when the wrapped text fits in `maxLines` lines and in the area. */
function layoutAt(
  ctx: SKRSContext2D,
  text: string,
  area: Area,
  fontSize: number,
  options: RasterizeTextOptions,
): Layout | undefined {
  const { style, fonts, field } = options;
  applyFont(ctx, style, fonts, fontSize, field);
  const wrapped = wrapText({ text, width: area.width, measure: measurer(ctx), lang: style.lang });
  if (!wrapped.allFit || wrapped.lines.length > style.maxLines) return undefined;
  if (!fitsVertically(ctx, wrapped.lines, fontSize, style, area)) return undefined;
  return { fontSize, lines: wrapped.lines, directions: wrapped.directions };
}

function doesNotFit(options: RasterizeTextOptions, minSize: number): VidataError {
  const { style, box, field } = options;
  return new VidataError(
    'TEXT_DOES_NOT_FIT',
    `The text "${options.text}" does not fit in its ${box.w}x${box.h} box in ` +
      `${style.maxLines} line(s) at ${minSize}px or more.`,
    { field },
  );
}

/**
 * Texts `clearlyFitsOnOneLine` judges: one paragraph of scripts that canvas draws glyph by glyph
 * without contextual forms (Latin, Greek, Cyrillic, and the common digits, punctuation and symbols),
 * with no white space but plain spaces and no invisible format characters. Anything else (Arabic
 * joining, Indic clusters, emoji sequences, tabs) is laid out by canvas.
 */
const PLAIN_SCRIPTS =
  /^[ \p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Common}\p{Script=Inherited}]*$/u;
/** White space other than the plain space, control and invisible format characters. */
const NOT_PLAIN = /[^\S ]|[\p{Cc}\p{Default_Ignorable_Code_Point}]/u;
/**
 * How much wider than the sum of its glyphs' separate measures a line may be drawn. Kerning and
 * ligatures mostly narrow a line; this allows for fonts whose kerning widens some pairs.
 */
const ESTIMATE_MARGIN = 1.08;
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/**
 * Printable ASCII, precomposed Latin, Greek and Cyrillic letters, and common punctuation and
 * currency signs. None of them is a combining mark, a format character or a surrogate, so each
 * character of such a text is a grapheme cluster of its own. The segmenter, the slowest step of
 * this check, is then not needed.
 */
const ONE_CHARACTER_CLUSTERS =
  /^[\x20-\x7e\xa1-\xac\xae-\u02ff\u0370-\u0482\u048a-\u04ff\u1e00-\u1fff\u2010-\u2027\u2030-\u205e\u20a0-\u20bf\u2100-\u214f]*$/;

interface GlyphMeasure {
  advance: number;
  /** Ink left and right of the glyph's origin, above and below the baseline (actualBoundingBox*). */
  left: number;
  right: number;
  ascent: number;
  descent: number;
}

/**
 * Measures of grapheme clusters, per font set, style and font size (the style fixes the font,
 * letter spacing and language). Both keys belong to a loaded template, so the measures go with it.
 */
const glyphMeasures = new WeakMap<FontSet, WeakMap<TextStyle, Map<number, Map<string, GlyphMeasure>>>>();
/** Clusters kept per font and size; past it the map starts again, so odd input cannot grow it. */
const MAX_GLYPHS = 20_000;

function measuresFor(fonts: FontSet, style: TextStyle, fontSize: number): Map<string, GlyphMeasure> {
  let byStyle = glyphMeasures.get(fonts);
  if (byStyle === undefined) {
    byStyle = new WeakMap();
    glyphMeasures.set(fonts, byStyle);
  }
  let bySize = byStyle.get(style);
  if (bySize === undefined) {
    bySize = new Map();
    byStyle.set(style, bySize);
  }
  let measures = bySize.get(fontSize);
  if (measures === undefined || measures.size > MAX_GLYPHS) {
    measures = new Map();
    bySize.set(fontSize, measures);
  }
  return measures;
}

/**
 * True when `text` surely fits on one line of the area at `fontSize`: its ink, bounded from the
 * cached measures of each grapheme cluster with a margin, is narrower than the area and one
 * line's ink is lower than it. Then every policy draws it without error, which is all the create
 * call needs. False means "lay it out": the text may still fit.
 */
function clearlyFitsOnOneLine(
  ctx: SKRSContext2D,
  text: string,
  area: Area,
  fontSize: number,
  options: RasterizeTextOptions,
): boolean {
  const { style, fonts, field } = options;
  const trimmed = text.trim();
  let clusters: Iterable<string>;
  if (ONE_CHARACTER_CLUSTERS.test(trimmed)) clusters = trimmed;
  else if (PLAIN_SCRIPTS.test(trimmed) && !NOT_PLAIN.test(trimmed)) {
    clusters = Array.from(graphemeSegmenter.segment(trimmed), (s) => s.segment);
  } else return false;

  const measures = measuresFor(fonts, style, fontSize);
  let fontApplied = false;
  let x = 0;
  let left = -Infinity;
  let right = -Infinity;
  let ascent = -Infinity;
  let descent = -Infinity;
  for (const cluster of clusters) {
    let measure = measures.get(cluster);
    if (measure === undefined) {
      if (!fontApplied) {
        applyFont(ctx, style, fonts, fontSize, field);
        fontApplied = true;
      }
      const metrics = ctx.measureText(cluster);
      measure = {
        advance: metrics.width,
        left: metrics.actualBoundingBoxLeft,
        right: metrics.actualBoundingBoxRight,
        ascent: metrics.actualBoundingBoxAscent,
        descent: metrics.actualBoundingBoxDescent,
      };
      measures.set(cluster, measure);
    }
    left = Math.max(left, measure.left - x);
    right = Math.max(right, x + measure.right);
    ascent = Math.max(ascent, measure.ascent);
    descent = Math.max(descent, measure.descent);
    x += measure.advance;
  }

  if (x === 0) return false;
  const width = (left + right) * ESTIMATE_MARGIN + 1;
  return width <= area.width && ascent + descent + 1 <= area.height;
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
