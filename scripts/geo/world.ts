/**
 * Builds the tables of foreign places and of countries. Places come from GeoNames cities500;
 * country names (English, French and other European languages) from the npm package
 * i18n-iso-countries; country outlines from Natural Earth through the npm package world-atlas.
 */
import { createRequire } from 'node:module';
import type { GeonamesPlace } from './geonames.ts';

const require = createRequire(import.meta.url);

/** Places abroad below this population are left out, to keep the table small. */
export const WORLD_MIN_POPULATION = 15_000;
/** Places above this population also keep their Latin-script names in other languages ("Londres"). */
const ALTERNATE_NAMES_MIN_POPULATION = 150_000;

export interface WorldPlace {
  countryCode: string;
  name: string;
  alternateNames: string[];
  lat: number;
  lon: number;
  population: number;
}

/** Latin-script names a French or English writer may use; drops airport codes ("SHA") and long forms. */
function isUsefulAlternateName(name: string): boolean {
  return LATIN.test(name) && name.length >= 4 && name.length <= 40 && name !== name.toUpperCase();
}

export interface Country {
  code: string;
  names: string[];
  lat: number;
  lon: number;
  bbox: [number, number, number, number];
}

const FRENCH_COUNTRY_CODES = new Set([
  'FR',
  'RE',
  'GP',
  'MQ',
  'GF',
  'YT',
  'PM',
  'BL',
  'MF',
  'NC',
  'PF',
  'WF',
]);
const LATIN = /^[\p{Script=Latin}\p{M}\s'’.\-()]+$/u;

export function buildWorldPlaces(geonames: GeonamesPlace[]): WorldPlace[] {
  return geonames
    .filter((p) => !FRENCH_COUNTRY_CODES.has(p.countryCode) && p.population >= WORLD_MIN_POPULATION)
    .filter((p) => p.featureCode !== 'PPLX' && p.featureCode !== 'PPLH')
    .map((p) => {
      const names = new Set<string>();
      if (p.population >= ALTERNATE_NAMES_MIN_POPULATION) {
        for (const name of p.alternateNames) if (isUsefulAlternateName(name)) names.add(name);
      }
      if (p.asciiName !== p.name) names.add(p.asciiName);
      names.delete(p.name);
      return {
        countryCode: p.countryCode,
        name: p.name,
        alternateNames: [...names],
        lat: p.lat,
        lon: p.lon,
        population: p.population,
      };
    })
    .sort((a, b) => b.population - a.population);
}

interface CountriesLibrary {
  getNames(
    lang: string,
    options?: { select: 'official' | 'alias' | 'all' },
  ): Record<string, string | string[]>;
  numericToAlpha2(code: string): string | undefined;
  getAlpha3Code(name: string, lang: string): string | undefined;
}

const NAME_LANGUAGES = ['en', 'fr', 'de', 'es', 'it', 'nl', 'pt'];

export function buildCountries(
  outlines: Map<string, { lat: number; lon: number; bbox: [number, number, number, number] }>,
  capitals: Map<string, { lat: number; lon: number }>,
): Country[] {
  const library = require('i18n-iso-countries') as CountriesLibrary;
  for (const lang of NAME_LANGUAGES) {
    (library as unknown as { registerLocale(data: unknown): void }).registerLocale(
      require(`i18n-iso-countries/langs/${lang}.json`),
    );
  }
  const codes = Object.keys(library.getNames('en'));
  const countries: Country[] = [];
  for (const code of codes) {
    const names = new Set<string>();
    for (const lang of NAME_LANGUAGES) {
      const all = library.getNames(lang, { select: 'all' })[code];
      for (const name of Array.isArray(all) ? all : all ? [all] : []) if (LATIN.test(name)) names.add(name);
    }
    const outline = outlines.get(code);
    const capital = capitals.get(code);
    const point = outline ?? capital;
    if (!point) continue;
    const bbox = outline?.bbox ?? [point.lon - 0.5, point.lat - 0.5, point.lon + 0.5, point.lat + 0.5];
    countries.push({ code, names: [...names], lat: point.lat, lon: point.lon, bbox });
  }
  return countries;
}

export function numericToAlpha2(numeric: string): string | undefined {
  const library = require('i18n-iso-countries') as CountriesLibrary;
  return library.numericToAlpha2(numeric);
}
