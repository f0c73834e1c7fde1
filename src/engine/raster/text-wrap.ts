/**
 * Line breaking for text layers: where a line may break, greedy wrapping to a width, and cutting a
 * line with an ellipsis. Widths come from a `measure` callback so this module needs no canvas.
 */

/** Ink extent of a line drawn at x = 0, in pixels: what must fit inside the box. */
export interface LineInk {
  /** Pixels of ink left of the origin (negative when the ink starts right of it). */
  left: number;
  right: number;
}

export type MeasureLine = (line: string) => LineInk;

/** A piece of text that is never broken inside, and whether a space separates it from the previous one. */
interface BreakUnit {
  text: string;
  spaceBefore: boolean;
}

export const ELLIPSIS = '\u2026';

/**
 * Scripts written without spaces between words. Intl.Segmenter's word boundaries (ICU dictionaries)
 * are used as break opportunities inside them.
 */
const NO_SPACE_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
/** Characters a line must not start with (closing and other punctuation), or end with (opening). */
const NO_BREAK_BEFORE = /^[\p{Pe}\p{Pf}\p{Po}\p{Pd}]/u;
const NO_BREAK_AFTER = /[\p{Ps}\p{Pi}]$/u;

const wordSegmenters = new Map<string, Intl.Segmenter>();
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function wordSegmenter(lang: string | undefined): Intl.Segmenter {
  const key = lang ?? '';
  let segmenter = wordSegmenters.get(key);
  if (segmenter === undefined) {
    segmenter = new Intl.Segmenter(lang, { granularity: 'word' });
    wordSegmenters.set(key, segmenter);
  }
  return segmenter;
}

/** Splits a string into grapheme clusters (user-perceived characters). */
export function graphemes(text: string): string[] {
  return [...graphemeSegmenter.segment(text)].map((s) => s.segment);
}

/**
 * Splits a paragraph (no newlines) into units a line may break between: after white space, and
 * between words of scripts written without spaces, but never before closing punctuation or after
 * opening punctuation. Runs of white space collapse to one space.
 */
export function breakUnits(paragraph: string, lang: string | undefined): BreakUnit[] {
  const units: BreakUnit[] = [];
  let current: BreakUnit | undefined;
  let spacePending = false;
  for (const { segment } of wordSegmenter(lang).segment(paragraph)) {
    if (/^\s+$/u.test(segment)) {
      spacePending = true;
      continue;
    }
    const startsUnit =
      current === undefined ||
      spacePending ||
      ((NO_SPACE_SCRIPT.test(segment[0] ?? '') || NO_SPACE_SCRIPT.test(current.text.at(-1) ?? '')) &&
        !NO_BREAK_BEFORE.test(segment) &&
        !NO_BREAK_AFTER.test(current.text));
    if (startsUnit || current === undefined) {
      current = { text: segment, spaceBefore: spacePending && units.length > 0 };
      units.push(current);
    } else {
      current.text += segment;
    }
    spacePending = false;
  }
  return units;
}

function inkWidth(ink: LineInk): number {
  return ink.left + ink.right;
}

export type Direction = 'ltr' | 'rtl';

/** Letters of scripts written right to left (Unicode bidirectional classes R and AL). */
const RTL_LETTER =
  /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Adlam}\p{Script=Samaritan}\p{Script=Mandaic}]/u;

/**
 * Returns a paragraph's base direction from its first letter, as rule P2 of the Unicode
 * bidirectional algorithm does with the first strong character. A paragraph without letters is
 * left to right.
 */
export function paragraphDirection(paragraph: string): Direction {
  for (const character of paragraph) {
    if (!/\p{L}/u.test(character)) continue;
    return RTL_LETTER.test(character) ? 'rtl' : 'ltr';
  }
  return 'ltr';
}

export interface WrapResult {
  lines: string[];
  /** Base direction of each line: the direction of its paragraph. */
  directions: Direction[];
  /**
   * For each line, the text from its start to the end of its paragraph. An ellipsized last line is
   * cut from this, so it shows as much of the dropped text as fits.
   */
  rests: string[];
  /** False when some unit is wider than `width` on its own line. */
  allFit: boolean;
}

/**
 * Wraps text greedily to `width`. Newlines are hard breaks and each one starts a new line, so an
 * empty paragraph gives an empty line. A unit wider than `width` is put on a line of its own.
 */
export function wrapText(options: {
  text: string;
  width: number;
  measure: MeasureLine;
  lang: string | undefined;
}): WrapResult {
  const lines: string[] = [];
  const directions: Direction[] = [];
  const rests: string[] = [];
  let allFit = true;
  for (const paragraph of options.text.split(/\r\n|\r|\n/)) {
    const paragraphLines: string[] = [];
    // Separator between each line of this paragraph and the next: a space, or nothing between
    // words of scripts written without spaces.
    const separators: string[] = [];
    let line = '';
    for (const unit of breakUnits(paragraph, options.lang)) {
      const separator = unit.spaceBefore ? ' ' : '';
      const candidate = line === '' ? unit.text : line + separator + unit.text;
      if (line === '' || inkWidth(options.measure(candidate)) <= options.width) {
        line = candidate;
      } else {
        paragraphLines.push(line);
        separators.push(separator);
        line = unit.text;
      }
      if (line === unit.text && inkWidth(options.measure(line)) > options.width) allFit = false;
    }
    paragraphLines.push(line);
    let rest = '';
    const paragraphRests: string[] = [];
    for (let i = paragraphLines.length - 1; i >= 0; i--) {
      rest =
        i === paragraphLines.length - 1
          ? (paragraphLines[i] as string)
          : paragraphLines[i] + separators[i]! + rest;
      paragraphRests.unshift(rest);
    }
    lines.push(...paragraphLines);
    rests.push(...paragraphRests);
    directions.push(...paragraphLines.map(() => paragraphDirection(paragraph)));
  }
  return { lines, directions, rests, allFit };
}

/**
 * Cuts a line grapheme by grapheme until the line, followed by an ellipsis, fits `width`. With
 * `force`, the ellipsis is added even when the line already fits (text was dropped after it).
 */
export function ellipsize(options: {
  line: string;
  width: number;
  measure: MeasureLine;
  force: boolean;
}): string {
  const { measure, width } = options;
  if (!options.force && inkWidth(measure(options.line)) <= width) return options.line;
  const parts = graphemes(options.line);
  const withEllipsis = (count: number) => parts.slice(0, count).join('').trimEnd() + ELLIPSIS;
  // Binary search for the longest prefix that fits: the rest of a long paragraph can have
  // thousands of graphemes, and cutting one at a time measured each of them.
  let fitting = 0;
  let low = 1;
  let high = parts.length;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    if (inkWidth(measure(withEllipsis(middle))) <= width) {
      fitting = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (fitting > 0) return withEllipsis(fitting);
  return inkWidth(measure(ELLIPSIS)) <= width ? ELLIPSIS : '';
}
