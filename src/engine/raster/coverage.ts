/**
 * Whether the fonts of a template can draw a text. Canvas draws a character missing from every font
 * of its list with a font installed on the host, so such characters are found here, before drawing,
 * and rejected with TEXT_UNSUPPORTED_CHARACTER.
 */
import { VidataError } from '../../errors.ts';
import { fontChain, registerFamilies, type FontFace, type FontSet } from './fonts.ts';

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
  const aliases = family === undefined ? undefined : new Set(fontChain(fonts, family));
  const faces = fonts.faces.filter((face) => aliases === undefined || aliases.has(face.alias));
  const checked = new Set<number>();
  for (const character of text) {
    const codePoint = character.codePointAt(0) as number;
    if (checked.has(codePoint) || NEEDS_NO_GLYPH.test(character)) continue;
    if (!faces.some((face) => face.coverage.has(codePoint))) return character;
    checked.add(codePoint);
  }
  return undefined;
}

/** Formats a character for a message: the character itself and its code point, e.g. `"ж" (U+0436)`. */
export function describeCharacter(character: string): string {
  const codePoint = (character.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  return `"${character}" (U+${codePoint})`;
}

/**
 * Returns the aliases of the families that draw `text`: for each character, the first family of
 * the chain that covers it, as canvas picks them. `family` is as for findUnsupportedCharacter.
 */
export function familiesDrawing(text: string, fonts: FontSet, family?: string): Set<string> {
  const chain =
    family === undefined ? [...new Set(fonts.faces.map((f) => f.alias))] : fontChain(fonts, family);
  const facesByAlias = new Map<string, FontFace[]>();
  for (const face of fonts.faces)
    facesByAlias.set(face.alias, [...(facesByAlias.get(face.alias) ?? []), face]);
  const drawing = new Set<string>();
  const checked = new Set<number>();
  for (const character of text) {
    const codePoint = character.codePointAt(0) as number;
    if (checked.has(codePoint) || NEEDS_NO_GLYPH.test(character)) continue;
    checked.add(codePoint);
    const alias = chain.find((a) => facesByAlias.get(a)?.some((face) => face.coverage.has(codePoint)));
    if (alias !== undefined) drawing.add(alias);
  }
  return drawing;
}

/**
 * Throws TEXT_UNSUPPORTED_CHARACTER naming the first character of `text` that no font of the chain
 * covers. Otherwise registers the shipped families that draw the text, so it may be drawn next.
 * `family` is as for findUnsupportedCharacter.
 */
export function assertSupportedText(options: {
  text: string;
  fonts: FontSet;
  family?: string;
  field?: string;
}): void {
  const character = findUnsupportedCharacter(options.text, options.fonts, options.family);
  if (character === undefined) {
    registerFamilies(familiesDrawing(options.text, options.fonts, options.family));
    return;
  }
  throw new VidataError(
    'TEXT_UNSUPPORTED_CHARACTER',
    `The character ${describeCharacter(character)} cannot be drawn: no font of the template covers it.`,
    { field: options.field, details: { character, codePoint: character.codePointAt(0) } },
  );
}
