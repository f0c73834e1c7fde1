/**
 * Splits a free-form postal address into normalized words and the clues the offline geocoder scores
 * places with. The clues are postcodes (including forms without the leading zero), department codes,
 * CEDEX, and the words that start a street name, since "rue de Paris" names a street, not Paris.
 */
import { normalizeText, tokenize } from './text.ts';

export interface AddressWord {
  text: string;
  /** Index of the comma- or line-separated part of the address the word comes from. */
  segment: number;
}

export interface PostcodeClue {
  /** Five-digit French form: "1000" gives "01000". */
  code: string;
  /** The digits as written, which may be a four-digit postcode of another country. */
  written: string;
  /** Index of the word in `words`. */
  index: number;
}

export interface ParsedAddress {
  words: AddressWord[];
  postcodes: PostcodeClue[];
  /** Department codes written apart, such as "(2A)" or "(974)". */
  departments: string[];
  /** True when the address has a CEDEX mention: its postcode then belongs to a sorting office. */
  cedex: boolean;
}

/** Words that begin a street name in French or English addresses. */
export const STREET_WORDS = new Set([
  'rue',
  'avenue',
  'av',
  'ave',
  'bd',
  'boulevard',
  'blvd',
  'place',
  'pl',
  'chemin',
  'che',
  'allee',
  'allees',
  'route',
  'rte',
  'quai',
  'impasse',
  'imp',
  'cours',
  'square',
  'sq',
  'passage',
  'sentier',
  'voie',
  'faubourg',
  'fbg',
  'parvis',
  'esplanade',
  'promenade',
  'residence',
  'res',
  'lotissement',
  'lot',
  'chaussee',
  'ruelle',
  'villa',
  'cite',
  'rond',
  'point',
  'lieu',
  'dit',
  'zone',
  'za',
  'zi',
  'zac',
  'street',
  'road',
  'rd',
  'lane',
  'drive',
  'way',
  'strasse',
  'str',
  'via',
  'calle',
  'plaza',
  'rua',
  'straat',
  'laan',
  'weg',
  'gasse',
]);

/** Short words that join a street type to the name it carries ("rue de la Paix"). */
export const CONNECTOR_WORDS = new Set([
  'de',
  'du',
  'des',
  'la',
  'le',
  'les',
  'l',
  'd',
  'of',
  'the',
  'del',
  'di',
]);

/** Words of postal mentions that are no place name: box numbers, delivery services, house number suffixes. */
const POSTAL_BOX_WORDS = new Set(['bp', 'cs', 'tsa', 'cp']);
const HOUSE_NUMBER_SUFFIXES = new Set(['bis', 'ter', 'quater', 'quinquies']);

export function parseAddress(address: string): ParsedAddress {
  const departments = [...address.matchAll(/\((\d{2,3}|2[ABab])\)/g)].map((m) => (m[1] ?? '').toUpperCase());
  const words: AddressWord[] = [];
  const segments = address.split(/[,;\n\r]+/);
  segments.forEach((segment, index) => {
    // "12bis" and "75008Paris" are split; "2A" (a Corsican department) is kept whole.
    const spaced = normalizeText(segment)
      .replace(/(\d)(bis|ter|quater|quinquies)\b/g, '$1 $2')
      .replace(/(\d{3,})([a-z])/g, '$1 $2')
      .replace(/([a-z]{2,})(\d)/g, '$1 $2');
    for (const text of tokenize(spaced)) words.push({ text, segment: index });
  });

  const kept: AddressWord[] = [];
  let cedex = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]?.text ?? '';
    const next = words[i + 1]?.text ?? '';
    if (word === 'cedex') {
      cedex = true;
      if (/^\d{1,2}$/.test(next)) i += 1;
      continue;
    }
    // "B.P. 123" becomes the words "b", "p", "123".
    if (word === 'b' && next === 'p') {
      i += 1;
      if (/^\d+$/.test(words[i + 1]?.text ?? '')) i += 1;
      continue;
    }
    if (POSTAL_BOX_WORDS.has(word) && /^\d+$/.test(next)) {
      i += 1;
      continue;
    }
    if (HOUSE_NUMBER_SUFFIXES.has(word) && /^\d+$/.test(kept.at(-1)?.text ?? '')) continue;
    const current = words[i];
    if (current) kept.push(current);
  }

  const postcodes: PostcodeClue[] = [];
  kept.forEach((word, index) => {
    if (/^2[ab]$/.test(word.text)) departments.push(word.text.toUpperCase());
    if (/^\d{5}$/.test(word.text)) postcodes.push({ code: word.text, written: word.text, index });
    // A four-digit number is a postcode without its leading zero unless it is a house number,
    // which starts its part of the address and precedes a street word.
    const startsSegment = index === 0 || kept[index - 1]?.segment !== word.segment;
    if (/^\d{4}$/.test(word.text) && !(startsSegment && STREET_WORDS.has(kept[index + 1]?.text ?? ''))) {
      postcodes.push({ code: `0${word.text}`, written: word.text, index });
    }
  });
  return { words: kept, postcodes, departments: [...new Set(departments)], cedex };
}
