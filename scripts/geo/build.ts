/**
 * Compiles the open data of the geocoding and map packages (devDependencies) into the compact
 * tables committed under src/maps/data, so that the runtime needs none of those packages.
 * Run it again after updating one of them: `node --import tsx scripts/geo/build.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildFrance, estimateErrors } from './france.ts';
import { readCities500, readCitiesJson } from './geonames.ts';
import { borderLines, countryOutlines, landRings } from './shapes.ts';
import { buildCountries, buildWorldPlaces } from './world.ts';

const outputFolder = path.join(import.meta.dirname, '..', '..', 'src', 'maps', 'data');

function round(value: number): string {
  return value.toFixed(5).replace(/\.?0+$/, '');
}

/** Tab-separated rows; values never contain tabs or line breaks in these sources. */
function writeTable(file: string, header: string[], rows: (string | number)[][]): void {
  const text = [header, ...rows].map((row) => row.join('\t')).join('\n') + '\n';
  const data = file.endsWith('.gz') ? gzipSync(text, { level: 9 }) : Buffer.from(text);
  writeFileSync(path.join(outputFolder, file), data);
  console.log(`${file}: ${rows.length} rows, ${data.length} bytes`);
}

function writeBinary(file: string, data: Buffer): void {
  writeFileSync(path.join(outputFolder, file), data);
  console.log(`${file}: ${data.length} bytes`);
}

mkdirSync(outputFolder, { recursive: true });
const geonames = readCities500();

const { places, stats } = buildFrance(geonames, readCitiesJson());
writeTable(
  'fr-places.tsv.gz',
  ['code', 'name', 'kind', 'department', 'postcodes', 'population', 'lat', 'lon', 'approximate', 'parent'],
  places.map((p) => [
    p.code,
    p.name,
    p.kind,
    p.department,
    p.postcodes.join(' '),
    p.population,
    round(p.lat),
    round(p.lon),
    p.approximate ? 1 : 0,
    p.parent,
  ]),
);
console.log(
  `France: ${stats.communes} communes and former communes, ${stats.fromGeonames} placed by GeoNames, ` +
    `${stats.fromPostcode} estimated from their postcode or parent, ${stats.fromIntercommunality} from their ` +
    `intercommunality, ${stats.dropped.length} left out`,
);
if (stats.dropped.length > 0) console.log(`  left out: ${stats.dropped.slice(0, 20).join(', ')}`);
const errors = estimateErrors(places);
const quantile = (q: number) => (errors[Math.floor(q * (errors.length - 1))] ?? 0).toFixed(1);
console.log(
  `Postcode estimates checked on ${errors.length} placed communes: median ${quantile(0.5)} km, ` +
    `90th percentile ${quantile(0.9)} km, 99th percentile ${quantile(0.99)} km`,
);

const world = buildWorldPlaces(geonames);
writeTable(
  'world-places.tsv.gz',
  ['country', 'name', 'alternateNames', 'lat', 'lon', 'population'],
  world.map((p) => [
    p.countryCode,
    p.name,
    p.alternateNames.join('|'),
    round(p.lat),
    round(p.lon),
    p.population,
  ]),
);

const capitals = new Map(
  geonames.filter((p) => p.featureCode === 'PPLC').map((p) => [p.countryCode, { lat: p.lat, lon: p.lon }]),
);
const countries = buildCountries(countryOutlines(), capitals);
writeTable(
  'countries.tsv',
  ['code', 'names', 'lat', 'lon', 'minLon', 'minLat', 'maxLon', 'maxLat'],
  countries.map((c) => [c.code, c.names.join('|'), round(c.lat), round(c.lon), ...c.bbox.map(round)]),
);

writeBinary('land-10m.bin.gz', landRings('10m'));
writeBinary('land-50m.bin.gz', landRings('50m'));
writeBinary('borders-10m.bin.gz', borderLines('10m'));
writeBinary('borders-50m.bin.gz', borderLines('50m'));
