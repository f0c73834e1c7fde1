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
  const chain = chainOf(fonts, family);
  for (const character of text) {
    if (drawingAlias(chain, character) === false) return character;
  }
  return undefined;
}

/**
 * A family's chain of fonts, with what is known of each code point seen so far: the alias of the
 * first font that covers it, `true` when it needs no glyph, or `false` when no font covers it.
 */
interface Chain {
  aliases: string[];
  facesByAlias: Map<string, FontFace[]>;
  known: Map<number, string | boolean>;
}

/**
 * Chains per font set and family. The create call checks every sent text, and building the chain's
 * faces and testing each character again allocated more than the rest of the text check.
 */
const chains = new WeakMap<FontSet, Map<string, Chain>>();
const MAX_KNOWN_CODE_POINTS = 50_000;

function chainOf(fonts: FontSet, family: string | undefined): Chain {
  let byFamily = chains.get(fonts);
  if (byFamily === undefined) {
    byFamily = new Map();
    chains.set(fonts, byFamily);
  }
  // No family name is empty (the template schema requires one), so '' stands for "any font".
  const key = family ?? '';
  let chain = byFamily.get(key);
  if (chain === undefined) {
    const aliases =
      family === undefined ? [...new Set(fonts.faces.map((face) => face.alias))] : fontChain(fonts, family);
    const facesByAlias = new Map<string, FontFace[]>();
    for (const face of fonts.faces) {
      facesByAlias.set(face.alias, [...(facesByAlias.get(face.alias) ?? []), face]);
    }
    chain = { aliases, facesByAlias, known: new Map() };
    byFamily.set(key, chain);
  }
  return chain;
}

/** Returns the alias that draws `character`, `true` when it needs no glyph, `false` when none covers it. */
function drawingAlias(chain: Chain, character: string): string | boolean {
  const codePoint = character.codePointAt(0) as number;
  let drawing = chain.known.get(codePoint);
  if (drawing === undefined) {
    drawing =
      NEEDS_NO_GLYPH.test(character) ||
      (chain.aliases.find((alias) =>
        chain.facesByAlias.get(alias)?.some((face) => face.coverage.has(codePoint)),
      ) ??
        false);
    if (chain.known.size >= MAX_KNOWN_CODE_POINTS) chain.known.clear();
    chain.known.set(codePoint, drawing);
  }
  return drawing;
}

/** Formats a character for a message: the character itself and its code point, e.g. `"ж" (U+0436)`. */
export function describeCharacter(character: string): string {
  const codePoint = (character.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  return `"${character}" (U+${codePoint})`;
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
  const chain = chainOf(options.fonts, options.family);
  const drawing = new Set<string>();
  let unsupported: string | undefined;
  for (const character of options.text) {
    const alias = drawingAlias(chain, character);
    if (alias === false) {
      unsupported = character;
      break;
    }
    if (typeof alias === 'string') drawing.add(alias);
  }
  if (unsupported === undefined) {
    registerFamilies(drawing);
    return;
  }
  throw new VidataError(
    'TEXT_UNSUPPORTED_CHARACTER',
    `The character ${describeCharacter(unsupported)} cannot be drawn: no font of the template covers it.`,
    {
      field: options.field,
      details: { character: unsupported, codePoint: unsupported.codePointAt(0) },
    },
  );
}
