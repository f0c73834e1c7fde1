/**
 * Whether the fonts of a template can draw a text. Canvas draws a character missing from every font
 * of its list with a font installed on the host, so such characters are found here, before drawing,
 * and rejected with TEXT_UNSUPPORTED_CHARACTER.
 */
import { VidataError } from '../../errors.ts';
import { fontChain, type FontFace, type FontSet } from './fonts.ts';

/**
 * Characters that need no glyph: white space and other separators, control characters, and the
 * default-ignorable code points (joiners, variation selectors, bidirectional marks, emoji tags),
 * which shaping consumes or draws as nothing.
 */
const NEEDS_NO_GLYPH = /[\s\p{Cc}\p{Default_Ignorable_Code_Point}]/u;

/**
 * Returns the first character of `text` that no font of the chain covers, or undefined when every
 * character can be drawn. With `family`, the chain is that family, then the template's
 * `fontFallbacks`, then the shipped fonts. Without it, any font of the set counts, which suits a
 * value checked before it is known which layer draws it.
 */
export function findUnsupportedCharacter(text: string, fonts: FontSet, family?: string): string | undefined {
  const support = supportOf(fonts, family);
  for (const character of text) {
    const codePoint = character.codePointAt(0) as number;
    let supported = support.known.get(codePoint);
    if (supported === undefined) {
      supported =
        NEEDS_NO_GLYPH.test(character) || support.faces.some((face) => face.coverage.has(codePoint));
      if (support.known.size >= MAX_KNOWN_CODE_POINTS) support.known.clear();
      support.known.set(codePoint, supported);
    }
    if (!supported) return character;
  }
  return undefined;
}

interface Support {
  faces: FontFace[];
  /** Whether each code point seen so far can be drawn by `faces` (or needs no glyph). */
  known: Map<number, boolean>;
}

/**
 * Code points remembered per font set and family. The create call checks every sent text, and
 * building the chain's faces and testing each character again allocated more than the rest of the
 * text check.
 */
const supports = new WeakMap<FontSet, Map<string, Support>>();
const MAX_KNOWN_CODE_POINTS = 50_000;

function supportOf(fonts: FontSet, family: string | undefined): Support {
  let byFamily = supports.get(fonts);
  if (byFamily === undefined) {
    byFamily = new Map();
    supports.set(fonts, byFamily);
  }
  // No family name is empty (the template schema requires one), so '' stands for "any font".
  const key = family ?? '';
  let support = byFamily.get(key);
  if (support === undefined) {
    const aliases = family === undefined ? undefined : new Set(fontChain(fonts, family));
    const faces = fonts.faces.filter((face) => aliases === undefined || aliases.has(face.alias));
    support = { faces, known: new Map() };
    byFamily.set(key, support);
  }
  return support;
}

/** Formats a character for a message: the character itself and its code point, e.g. `"ж" (U+0436)`. */
export function describeCharacter(character: string): string {
  const codePoint = (character.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  return `"${character}" (U+${codePoint})`;
}

/**
 * Throws TEXT_UNSUPPORTED_CHARACTER naming the first character of `text` that no font of the chain
 * covers. `family` is as for findUnsupportedCharacter.
 */
export function assertSupportedText(options: {
  text: string;
  fonts: FontSet;
  family?: string;
  field?: string;
}): void {
  const character = findUnsupportedCharacter(options.text, options.fonts, options.family);
  if (character === undefined) return;
  throw new VidataError(
    'TEXT_UNSUPPORTED_CHARACTER',
    `The character ${describeCharacter(character)} cannot be drawn: no font of the template covers it.`,
    { field: options.field, details: { character, codePoint: character.codePointAt(0) } },
  );
}
