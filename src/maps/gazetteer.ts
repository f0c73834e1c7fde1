/**
 * The offline gazetteer: the compiled tables of src/maps/data (French communes, places abroad,
 * countries) loaded once and indexed by normalized name and by postcode.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { nameKey, tokenize } from './text.ts';

export const DATA_FOLDER = path.join(import.meta.dirname, 'data');

export interface FrenchPlace {
  code: string;
  name: string;
  /** c: commune, a: municipal arrondissement of Paris, Lyon or Marseille, d: former (merged) commune. */
  kind: 'c' | 'a' | 'd';
  department: string;
  postcodes: string[];
  /** Inhabitants; for a former commune, those of the commune it joined. */
  population: number;
  lat: number;
  lon: number;
  approximate: boolean;
  /** INSEE code of the commune an arrondissement or a former commune belongs to; empty for communes. */
  parent: string;
}

export interface WorldPlace {
  countryCode: string;
  name: string;
  lat: number;
  lon: number;
  population: number;
}

export interface WorldName {
  place: WorldPlace;
  name: string;
}

export interface Country {
  code: string;
  name: string;
  lat: number;
  lon: number;
  bbox: [number, number, number, number];
}

export interface Gazetteer {
  frenchByPostcode: Map<string, FrenchPlace[]>;
  frenchByName: Map<string, FrenchPlace[]>;
  frenchByDepartment: Map<string, FrenchPlace[]>;
  /** Each entry keeps the name that matched, so that "Londres" is labelled "Londres", not "London". */
  worldByName: Map<string, WorldName[]>;
  countryByName: Map<string, Country>;
  countryByCode: Map<string, Country>;
  /** Maximum number of words in one indexed name, which bounds the word sequences worth looking up. */
  maxNameWords: number;
}

/**
 * The offline map's data from the tables, loaded apart from the geocoder's name indexes, so a
 * process that draws maps of addresses placed elsewhere does not hold those (about 85 MB).
 */
export interface MapPlaces {
  /** Places whose coordinates are their own (not estimated), largest population first. */
  labelPlaces: LabelPlace[];
  countryByCode: Map<string, Country>;
}

export interface LabelPlace {
  name: string;
  lat: number;
  lon: number;
  population: number;
}

let loaded: Gazetteer | undefined;
let loadedMapPlaces: MapPlaces | undefined;

/** Loads the tables on first use (about 0.5 s) and keeps them for the life of the process. */
export function loadGazetteer(): Gazetteer {
  loaded ??= buildGazetteer();
  return loaded;
}

/** Loads the map's places and countries on first use and keeps them for the life of the process. */
export function loadMapPlaces(): MapPlaces {
  loadedMapPlaces ??= buildMapPlaces();
  return loadedMapPlaces;
}

function buildMapPlaces(): MapPlaces {
  const labelPlaces: LabelPlace[] = [];
  forEachRow('fr-places.tsv.gz', (field) => {
    const kind = field(2);
    const place = {
      name: field(1),
      lat: Number(field(6)),
      lon: Number(field(7)),
      population: Number(field(5)),
    };
    if (field(8) !== '1' && kind === 'c') labelPlaces.push(place);
    // Arrondissements name the districts of a city map: "Paris 8e", "Marseille 2e".
    if (kind === 'a') labelPlaces.push({ ...place, name: shortName(place.name) });
  });
  forEachRow('world-places.tsv.gz', (field) => {
    labelPlaces.push({
      name: field(1),
      lat: Number(field(3)),
      lon: Number(field(4)),
      population: Number(field(5)),
    });
  });
  // The sort is stable, so places of equal population keep the order of the tables.
  labelPlaces.sort((a, b) => b.population - a.population);
  const countryByCode = new Map<string, Country>();
  for (const row of readTable('countries.tsv')) {
    const country = parseCountry(row);
    countryByCode.set(country.code, country);
  }
  return { labelPlaces, countryByCode };
}

/**
 * Calls `visit` for each row of a table after its header, with a function that decodes one field.
 * Unlike readTable, it decodes only the fields asked for, from the file's bytes: splitting the
 * world table's long alternate names into strings took about 50 MB of heap for a moment.
 */
function forEachRow(file: string, visit: (field: (column: number) => string) => void): void {
  const raw = readFileSync(path.join(DATA_FOLDER, file));
  const bytes = file.endsWith('.gz') ? gunzipSync(raw) : raw;
  const TAB = 9;
  const NEWLINE = 10;
  let start = bytes.indexOf(NEWLINE) + 1;
  while (start > 0 && start < bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end === -1) end = bytes.length;
    if (end > start) {
      // bounds[i] is the byte before field i; the last entry is the end of the line.
      const bounds = [start - 1];
      let tab = bytes.indexOf(TAB, start);
      while (tab !== -1 && tab < end) {
        bounds.push(tab);
        tab = bytes.indexOf(TAB, tab + 1);
      }
      bounds.push(end);
      visit((column) =>
        column + 1 < bounds.length
          ? bytes.toString('utf8', (bounds[column] as number) + 1, bounds[column + 1])
          : '',
      );
    }
    start = end + 1;
  }
}

function parseCountry([code = '', names = '', lat, lon, minLon, minLat, maxLon, maxLat]: string[]): Country {
  return {
    code,
    name: names.split('|')[0] ?? code,
    lat: Number(lat),
    lon: Number(lon),
    bbox: [Number(minLon), Number(minLat), Number(maxLon), Number(maxLat)],
  };
}

function readTable(file: string): string[][] {
  const raw = readFileSync(path.join(DATA_FOLDER, file));
  const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

function buildGazetteer(): Gazetteer {
  const gazetteer: Gazetteer = {
    frenchByPostcode: new Map(),
    frenchByName: new Map(),
    frenchByDepartment: new Map(),
    worldByName: new Map(),
    countryByName: new Map(),
    countryByCode: new Map(),
    maxNameWords: 1,
  };
  /** Indexes `value` under the key of `name`, and returns that key. */
  const indexName = <T>(map: Map<string, T[]>, name: string, value: T): string => {
    const words = tokenize(name);
    const key = words.join('');
    if (key === '') return key;
    push(map, key, value);
    gazetteer.maxNameWords = Math.max(gazetteer.maxNameWords, words.length);
    return key;
  };

  const french: FrenchPlace[] = [];
  for (const [
    code = '',
    name = '',
    kind = 'c',
    department = '',
    postcodes = '',
    population,
    lat,
    lon,
    approximate,
    parent = '',
  ] of readTable('fr-places.tsv.gz')) {
    const place: FrenchPlace = {
      code,
      name,
      kind: kind as FrenchPlace['kind'],
      department,
      postcodes: postcodes === '' ? [] : postcodes.split(' '),
      population: Number(population),
      lat: Number(lat),
      lon: Number(lon),
      approximate: approximate === '1',
      parent,
    };
    indexName(gazetteer.frenchByName, name, place);
    for (const alias of arrondissementAliases(place)) indexName(gazetteer.frenchByName, alias, place);
    // A former commune is found by its own name; its postcodes are those of the commune it joined.
    for (const postcode of place.postcodes) push(gazetteer.frenchByPostcode, postcode, place);
    push(gazetteer.frenchByDepartment, department, place);
    french.push(place);
  }
  // INSEE gives former communes no population: they borrow that of the commune they joined, so
  // that "Évry" finds the former commune now in Évry-Courcouronnes (67,000 people) before the
  // village of Évry in the Yonne.
  const communes = new Map(french.filter((p) => p.kind === 'c').map((p) => [p.code, p]));
  for (const place of french) {
    if (place.kind === 'd' && place.population === 0)
      place.population = communes.get(place.parent)?.population ?? 0;
  }

  for (const [countryCode = '', name = '', alternateNames = '', lat, lon, population] of readTable(
    'world-places.tsv.gz',
  )) {
    const place: WorldPlace = {
      countryCode,
      name,
      lat: Number(lat),
      lon: Number(lon),
      population: Number(population),
    };
    for (const written of [name, ...(alternateNames === '' ? [] : alternateNames.split('|'))]) {
      // One label per place and key: its own name first, then a spelling with accents ("München")
      // rather than the ASCII one ("Munchen").
      const entry = { place, name: written };
      const key = indexName(gazetteer.worldByName, written, entry);
      const sameKey = gazetteer.worldByName.get(key) ?? [];
      const known = sameKey.find((other) => other.place === place && other !== entry);
      if (!known) continue;
      sameKey.splice(sameKey.indexOf(entry), 1);
      if (known.name !== name && isAscii(known.name) && !isAscii(written)) known.name = written;
    }
  }

  for (const row of readTable('countries.tsv')) {
    const country = parseCountry(row);
    gazetteer.countryByCode.set(country.code, country);
    for (const name of (row[1] ?? '').split('|')) {
      const key = nameKey(name);
      if (key !== '' && !gazetteer.countryByName.has(key)) gazetteer.countryByName.set(key, country);
    }
  }
  return gazetteer;
}

/**
 * Other ways addresses name an arrondissement: "Paris 8e Arrondissement" is also written "Paris 8",
 * "Paris 8e", "Paris 8eme", "Paris 08" or "Paris VIII".
 */
function arrondissementAliases(place: FrenchPlace): string[] {
  if (place.kind !== 'a') return [];
  const match = /^(\S+) (\d+)/.exec(place.name);
  if (!match) return [];
  const [, city = '', digits = ''] = match;
  const n = Number(digits);
  const suffixes = n === 1 ? ['er', 'ere', 'e'] : ['e', 'eme', 'ème'];
  return [
    `${city} ${n}`,
    `${city} ${String(n).padStart(2, '0')}`,
    `${city} ${toRoman(n)}`,
    ...suffixes.map((s) => `${city} ${n}${s}`),
    ...suffixes.map((s) => `${city} ${n}${s} arrondissement`),
  ];
}

/** "Paris 8e Arrondissement" becomes "Paris 8e". */
export function shortName(name: string): string {
  return name.replace(/ Arrondissement$/, '');
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function toRoman(n: number): string {
  const numerals: [number, string][] = [
    [10, 'X'],
    [9, 'IX'],
    [5, 'V'],
    [4, 'IV'],
    [1, 'I'],
  ];
  let rest = n;
  let text = '';
  for (const [value, letters] of numerals) {
    while (rest >= value) {
      text += letters;
      rest -= value;
    }
  }
  return text;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  // Aliases of one place are indexed one after the other, so a repeat can only be the last entry.
  else if (list[list.length - 1] !== value) list.push(value);
}
