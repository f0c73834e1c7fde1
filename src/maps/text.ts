/**
 * Text normalization shared by the offline geocoder and the table builder, so that "SAINT-ÉTIENNE",
 * "St Etienne" and "saint etienne" compare equal.
 */

/** Abbreviations that French addresses use for words of place names. */
const ABBREVIATIONS: Record<string, string> = {
  st: 'saint',
  ste: 'sainte',
  sts: 'saints',
  stes: 'saintes',
  mt: 'mont',
};

/**
 * Lower-cases, removes diacritics and turns every run of non-alphanumeric characters (apostrophes,
 * hyphens, commas) into one space. Ligatures are spelled out ("œ" becomes "oe").
 */
export function normalizeText(text: string): string {
  // ASCII text has no diacritics to remove: this path skips the costly Unicode steps.
  if (/^[\x20-\x7e]*$/.test(text)) {
    return text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  }
  return text
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Splits normalized text into words and expands the abbreviations of place names. */
export function tokenize(text: string): string[] {
  const normalized = normalizeText(text);
  if (normalized === '') return [];
  return normalized.split(' ').map((word) => ABBREVIATIONS[word] ?? word);
}

/** Returns the key under which a place name is indexed: its words joined without spaces. */
export function nameKey(name: string): string {
  return tokenize(name).join('');
}
