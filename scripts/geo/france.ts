/**
 * Builds the table of French communes: names and postcodes from the INSEE Code officiel
 * géographique and La Poste's postcode base (npm package @etalab/decoupage-administratif), and
 * coordinates from GeoNames. GeoNames covers the larger communes. The others are placed at the
 * mean of the communes sharing their postcode, or failing that of their intercommunality, and are
 * flagged as approximate.
 */
import { createRequire } from 'node:module';
import { nameKey } from '../../src/maps/text.ts';
import type { CitiesJsonPlace, GeonamesPlace } from './geonames.ts';
import type { FrenchPlace } from '../../src/maps/gazetteer.ts';

// The compiled table's rows have the type the runtime reads them with.
export type { FrenchPlace };

const require = createRequire(import.meta.url);

interface Commune {
  code: string;
  nom: string;
  type: 'commune-actuelle' | 'commune-deleguee' | 'commune-associee' | 'arrondissement-municipal';
  departement: string;
  codesPostaux?: string[];
  population?: number;
  chefLieu?: string;
  commune?: string;
}

interface Epci {
  code: string;
  membres: { code: string }[];
}

/** GeoNames country codes of the overseas departments and collectivities, which INSEE counts as France. */
const OVERSEAS_COUNTRY_CODES = new Set([
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

export interface FranceStats {
  communes: number;
  fromGeonames: number;
  fromPostcode: number;
  fromIntercommunality: number;
  dropped: string[];
}

export function buildFrance(
  geonames: GeonamesPlace[],
  citiesJson: CitiesJsonPlace[],
): { places: FrenchPlace[]; stats: FranceStats } {
  const communes = require('@etalab/decoupage-administratif/data/communes.json') as Commune[];
  const epcis = require('@etalab/decoupage-administratif/data/epci.json') as Epci[];

  const french = geonames.filter((p) => OVERSEAS_COUNTRY_CODES.has(p.countryCode));
  const byInsee = new Map<string, GeonamesPlace[]>();
  const byDepartmentAndName = new Map<string, GeonamesPlace[]>();
  for (const place of french) {
    // Mayotte's GeoNames entries keep the INSEE code in admin1 instead of admin4.
    const insee = place.admin4 || (/^976\d\d$/.test(place.admin1) ? place.admin1 : '');
    if (insee) push(byInsee, insee, place);
    push(byDepartmentAndName, `${place.admin2}|${nameKey(place.name)}`, place);
    push(byDepartmentAndName, `${place.countryCode}|${nameKey(place.name)}`, place);
  }
  const parisArrondissements = new Map<number, CitiesJsonPlace>();
  for (const place of citiesJson) {
    const match = /^Paris (\d\d) /.exec(place.name);
    if (place.country === 'FR' && match) parisArrondissements.set(Number(match[1]), place);
  }

  const coordinates = new Map<string, { lat: number; lon: number }>();
  const stats: FranceStats = {
    communes: communes.length,
    fromGeonames: 0,
    fromPostcode: 0,
    fromIntercommunality: 0,
    dropped: [],
  };

  for (const commune of communes) {
    const found =
      locateFromGeonames(commune, byInsee, byDepartmentAndName, parisArrondissements) ??
      islandSeat(commune, french);
    if (found) {
      coordinates.set(keyOf(commune), found);
      stats.fromGeonames += 1;
    }
  }

  // Former communes without their own coordinates take those of the commune they merged into.
  const parentOf = (c: Commune): string =>
    c.type === 'commune-actuelle' ? '' : (c.commune ?? c.chefLieu ?? '');
  const currentByCode = new Map(
    communes.filter((c) => c.type === 'commune-actuelle').map((c) => [c.code, c]),
  );
  const postcodesOf = (c: Commune): string[] =>
    c.codesPostaux ?? currentByCode.get(parentOf(c))?.codesPostaux ?? [];

  const approximate = new Set<string>();
  const byPostcode = new Map<string, string[]>();
  for (const c of communes) {
    if (c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal') {
      for (const postcode of postcodesOf(c)) push(byPostcode, postcode, keyOf(c));
    }
  }
  const epciOf = new Map<string, string[]>();
  for (const epci of epcis) {
    const members = epci.membres.map((m) => m.code);
    for (const code of members) epciOf.set(code, members);
  }

  // Estimates are made from GeoNames points only, so that one estimate never feeds another.
  const located = new Map(coordinates);
  for (const commune of communes) {
    const key = keyOf(commune);
    if (coordinates.has(key)) continue;
    const parentPoint = commune.type === 'commune-actuelle' ? undefined : located.get(parentOf(commune));
    const neighbours = postcodesOf(commune).flatMap((p) => byPostcode.get(p) ?? []);
    const fromPostcode = parentPoint ?? meanOf(neighbours, located);
    if (fromPostcode) {
      coordinates.set(key, fromPostcode);
      approximate.add(key);
      stats.fromPostcode += 1;
      continue;
    }
    const fromEpci = meanOf(epciOf.get(commune.code) ?? [], located);
    if (fromEpci) {
      coordinates.set(key, fromEpci);
      approximate.add(key);
      stats.fromIntercommunality += 1;
      continue;
    }
  }

  // A former commune whose new commune was itself estimated takes that estimate.
  for (const commune of communes) {
    const key = keyOf(commune);
    if (coordinates.has(key)) continue;
    const parentPoint = commune.type === 'commune-actuelle' ? undefined : coordinates.get(parentOf(commune));
    if (parentPoint) {
      coordinates.set(key, parentPoint);
      approximate.add(key);
      stats.fromPostcode += 1;
      continue;
    }
    stats.dropped.push(`${commune.code} ${commune.nom}`);
  }

  const places: FrenchPlace[] = [];
  for (const commune of communes) {
    const point = coordinates.get(keyOf(commune));
    if (!point) continue;
    const kind = kindOf(commune);
    places.push({
      code: commune.code,
      name: commune.nom,
      kind,
      department: commune.departement,
      postcodes: postcodesOf(commune),
      population: commune.population ?? 0,
      lat: point.lat,
      lon: point.lon,
      approximate: approximate.has(keyOf(commune)),
      parent: kind === 'c' ? '' : parentOf(commune),
    });
  }
  return { places, stats };
}

function locateFromGeonames(
  commune: Commune,
  byInsee: Map<string, GeonamesPlace[]>,
  byDepartmentAndName: Map<string, GeonamesPlace[]>,
  parisArrondissements: Map<number, CitiesJsonPlace>,
): { lat: number; lon: number } | undefined {
  if (commune.type === 'arrondissement-municipal') {
    // INSEE numbers them 75101-75120, 69381-69389 and 13201-13216.
    const number = Number(commune.code.slice(3)) - (commune.code.startsWith('69') ? 80 : 0);
    if (commune.code.startsWith('75')) {
      const paris = parisArrondissements.get(number);
      return paris ? { lat: Number(paris.lat), lon: Number(paris.lng) } : undefined;
    }
    // GeoNames names them "Lyon 03" and "Marseille 13", under the INSEE code of the whole city.
    const city = commune.code.startsWith('69') ? 'Lyon' : 'Marseille';
    const wanted = `${city} ${String(number).padStart(2, '0')}`;
    const cityCode = city === 'Lyon' ? '69123' : '13055';
    const hit = byInsee.get(cityCode)?.find((p) => p.name === wanted);
    return hit && { lat: hit.lat, lon: hit.lon };
  }
  const key = nameKey(commune.nom);
  const candidates = byInsee.get(commune.code) ?? [];
  // One INSEE code may carry several GeoNames places (hamlets, districts): prefer the one named like
  // the commune, then administrative seats, then the most populated.
  const named = candidates.find((p) => nameKey(p.name) === key || nameKey(p.asciiName) === key);
  const best =
    named ??
    [...candidates]
      .filter((p) => p.featureCode !== 'PPLX')
      .sort((a, b) => seatRank(b) - seatRank(a) || b.population - a.population)[0] ??
    // A place of the same name in the department counts only when GeoNames puts it in this commune
    // (or in the commune a former commune joined), not in a namesake hamlet elsewhere.
    byDepartmentAndName
      .get(`${commune.departement}|${key}`)
      ?.find(
        (p) =>
          p.admin4 === '' || p.admin4 === commune.code || p.admin4 === (commune.commune ?? commune.chefLieu),
      ) ??
    overseasNamesake(commune, key, byDepartmentAndName);
  return best && { lat: best.lat, lon: best.lon };
}

function kindOf(commune: Commune): FrenchPlace['kind'] {
  if (commune.type === 'commune-actuelle') return 'c';
  if (commune.type === 'arrondissement-municipal') return 'a';
  return 'd';
}

/** Former communes often keep the INSEE code of the commune they merged into, so they get their own key. */
function keyOf(commune: Commune): string {
  return commune.type === 'commune-deleguee' || commune.type === 'commune-associee'
    ? `d${commune.code}`
    : commune.code;
}

/**
 * Saint-Barthélemy and Saint-Martin are one commune each, the whole island, which GeoNames lists
 * only through its main town (Gustavia, Marigot): that town stands for the commune.
 */
function islandSeat(commune: Commune, french: GeonamesPlace[]): { lat: number; lon: number } | undefined {
  const country = { '977': 'BL', '978': 'MF' }[commune.departement];
  if (!country || commune.type !== 'commune-actuelle') return undefined;
  const seat = french.filter((p) => p.countryCode === country).sort((a, b) => b.population - a.population)[0];
  return seat && { lat: seat.lat, lon: seat.lon };
}

function seatRank(place: GeonamesPlace): number {
  return place.featureCode.startsWith('PPLA') || place.featureCode === 'PPLC' ? 1 : 0;
}

const OVERSEAS_DEPARTMENTS: Record<string, string> = {
  '971': 'GP',
  '972': 'MQ',
  '973': 'GF',
  '974': 'RE',
  '975': 'PM',
  '976': 'YT',
  '977': 'BL',
  '978': 'MF',
  '986': 'WF',
  '987': 'PF',
  '988': 'NC',
};

/** Overseas places are listed by GeoNames under their own country code, often without an INSEE code. */
function overseasNamesake(
  commune: Commune,
  key: string,
  byDepartmentAndName: Map<string, GeonamesPlace[]>,
): GeonamesPlace | undefined {
  const country = OVERSEAS_DEPARTMENTS[commune.departement];
  return country ? byDepartmentAndName.get(`${country}|${key}`)?.[0] : undefined;
}

function meanOf(
  codes: string[],
  coordinates: Map<string, { lat: number; lon: number }>,
): { lat: number; lon: number } | undefined {
  const points = codes.map((c) => coordinates.get(c)).filter((p) => p !== undefined);
  if (points.length === 0) return undefined;
  const lat = points.reduce((sum, p) => sum + p.lat, 0) / points.length;
  const lon = points.reduce((sum, p) => sum + p.lon, 0) / points.length;
  return { lat, lon };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Measures how far the postcode estimate falls from the truth: each GeoNames-placed commune is
 * estimated from the other placed communes of its postcodes, as if it had no point of its own.
 * Returns the distances in kilometres, sorted.
 */
export function estimateErrors(places: FrenchPlace[]): number[] {
  const byPostcode = new Map<string, FrenchPlace[]>();
  for (const place of places) {
    if (place.kind !== 'd' && !place.approximate)
      for (const postcode of place.postcodes) push(byPostcode, postcode, place);
  }
  const errors: number[] = [];
  for (const place of places) {
    if (place.kind !== 'c' || place.approximate) continue;
    const others = [...new Set(place.postcodes.flatMap((p) => byPostcode.get(p) ?? []))].filter(
      (o) => o !== place,
    );
    const estimate = meanOf(
      others.map((o) => o.code),
      new Map(others.map((o) => [o.code, o])),
    );
    if (estimate) errors.push(distanceKm(place, estimate));
  }
  return errors.sort((a, b) => a - b);
}

function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}
