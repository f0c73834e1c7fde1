/**
 * The offline geocoder: places an address at the centre of its French commune (or arrondissement
 * of Paris, Lyon or Marseille), or of a city abroad, using only the committed tables. It reads no
 * street: the best precision it gives is a city district.
 */
import {
  CONNECTOR_WORDS,
  STREET_WORDS,
  parseAddress,
  type AddressWord,
  type ParsedAddress,
} from './address.ts';
import {
  loadGazetteer,
  shortName,
  type Country,
  type FrenchPlace,
  type Gazetteer,
  type WorldName,
} from './gazetteer.ts';
import type { GeocodeResult, Geocoder } from './types.ts';

/** French overseas departments and collectivities, which the country table lists under their own codes. */
const OVERSEAS_DEPARTMENTS: Record<string, string> = {
  GP: '971',
  MQ: '972',
  GF: '973',
  RE: '974',
  PM: '975',
  YT: '976',
  BL: '977',
  MF: '978',
  WF: '986',
  PF: '987',
  NC: '988',
};

/** Lowest score a candidate needs: a name found in the address, or a known postcode. */
const MIN_SCORE = 40;

interface NameMatch {
  start: number;
  end: number;
  score: number;
}

export class OfflineGeocoder implements Geocoder {
  readonly isSynchronous = true;
  readonly #gazetteer: Gazetteer;

  constructor(gazetteer: Gazetteer = loadGazetteer()) {
    this.#gazetteer = gazetteer;
  }

  geocode(address: string): Promise<GeocodeResult | undefined> {
    return Promise.resolve(this.geocodeNow(address));
  }

  /** Geocodes without a promise; `geocode` only wraps this. */
  geocodeNow(address: string): GeocodeResult | undefined {
    const parsed = parseAddress(address);
    if (parsed.words.length === 0) return undefined;
    const country = this.#findCountry(parsed);
    const overseas = country && OVERSEAS_DEPARTMENTS[country.country.code];
    if (overseas) parsed.departments.push(overseas);
    const abroad = country && country.country.code !== 'FR' && !overseas;
    // The country's words are left out of the search for a city abroad. In France they stay,
    // because they may end a commune's name ("Roissy-en-France", "Saint-Martin").
    const words = abroad ? parsed.words.slice(0, country.start) : parsed.words;

    if (!abroad) {
      const french = this.#bestFrenchPlace({ ...parsed, words });
      if (french) return french;
    }
    if (!country || abroad) {
      const city =
        this.#bestWorldPlace(words, country?.country.code) ??
        // City-states and countries named after their capital: "Monaco", "Luxembourg".
        (country ? this.#bestWorldPlace(parsed.words, country.country.code) : undefined);
      if (city) return city;
    }
    if (!country) return undefined;
    // A street or city this table lacks, in a named country or overseas territory: the country is
    // all that is known. In mainland France an unknown commune is not found, rather than guessed.
    const onlyCountry = parsed.words.slice(0, country.start).every((w) => /^\d+$/.test(w.text));
    if (abroad || overseas || onlyCountry) return countryResult(country.country);
    return undefined;
  }

  /** A country name that ends a part of the address, such as "Suisse" in "1201 Genève, Suisse". */
  #findCountry(parsed: ParsedAddress): { country: Country; start: number } | undefined {
    const { words } = parsed;
    for (let end = words.length; end > 0; end--) {
      const last = words[end - 1];
      const isSegmentEnd = end === words.length || words[end]?.segment !== last?.segment;
      if (!isSegmentEnd) continue;
      for (let start = Math.max(0, end - 6); start < end; start++) {
        if (words[start]?.segment !== last?.segment) continue;
        const country = this.#gazetteer.countryByName.get(joinWords(words, start, end));
        if (country && !followsStreetWord(words, start)) return { country, start };
      }
      // Only the last words of the address, or a part made of nothing else, can name the country.
      if (end < words.length) break;
    }
    return undefined;
  }

  #bestFrenchPlace(parsed: ParsedAddress): GeocodeResult | undefined {
    const clues = new Map<FrenchPlace, { name: number; postcode: number }>();
    const entry = (place: FrenchPlace) => {
      let found = clues.get(place);
      if (!found) clues.set(place, (found = { name: 0, postcode: 0 }));
      return found;
    };
    for (const match of this.#nameMatches(parsed.words, this.#gazetteer.frenchByName)) {
      for (const place of match.places) entry(place).name = Math.max(entry(place).name, match.score);
    }
    for (const clue of parsed.postcodes) {
      // A four-digit number may be a postcode of Belgium, Switzerland or Luxembourg, so it counts less.
      const weight = clue.written.length === 4 ? 35 : 60;
      for (const place of this.#gazetteer.frenchByPostcode.get(clue.code) ?? []) {
        entry(place).postcode = Math.max(entry(place).postcode, weight);
      }
    }
    // A postcode unknown to La Poste's list (a CEDEX or company code) still gives the department.
    const departments = new Set(parsed.departments);
    for (const clue of parsed.postcodes) {
      if (!this.#gazetteer.frenchByPostcode.has(clue.code)) departments.add(departmentOfPostcode(clue.code));
    }

    const scores = new Map<FrenchPlace, { score: number; named: boolean }>();
    for (const [place, found] of clues) {
      let name = found.name;
      // "75008 Paris": the arrondissement found by its postcode is named through its city.
      if (place.kind === 'a' && found.postcode > 0) {
        const parent = [...clues].find(([p]) => p.code === place.parent && p.kind === 'c');
        name = Math.max(name, (parent?.[1].name ?? 0) + 1);
      }
      let score = name + found.postcode;
      if (name > 0 && found.postcode > 0) score += 20;
      if (name > 0 && departments.has(place.department)) score += 25;
      scores.set(place, { score, named: name > 0 });
    }

    const ranked = [...scores].sort(
      ([a, fa], [b, fb]) => fb.score - fa.score || b.population - a.population || kindRank(b) - kindRank(a),
    );
    const [best, found] = ranked[0] ?? [];
    if (!best || !found || found.score < MIN_SCORE) return undefined;
    const sharedPostcode = !found.named && ranked.filter(([, f]) => f.score === found.score).length > 1;
    return {
      lat: best.lat,
      lon: best.lon,
      precision: best.kind === 'a' || sharedPostcode ? 'postcode' : 'city',
      label: shortName(best.name),
      countryCode: 'FR',
      approximate: best.approximate || sharedPostcode,
    };
  }

  #bestWorldPlace(words: AddressWord[], countryCode: string | undefined): GeocodeResult | undefined {
    let best: { entry: WorldName; score: number } | undefined;
    for (const match of this.#nameMatches(words, this.#gazetteer.worldByName)) {
      for (const entry of match.places) {
        if (countryCode && entry.place.countryCode !== countryCode) continue;
        const score = match.score + Math.log10(Math.max(entry.place.population, 1));
        if (!best || score > best.score) best = { entry, score };
      }
    }
    if (!best || best.score < MIN_SCORE) return undefined;
    const { place, name } = best.entry;
    return {
      lat: place.lat,
      lon: place.lon,
      precision: 'city',
      label: name,
      countryCode: place.countryCode,
    };
  }

  /** Every sequence of words that is an indexed name, scored by length, position and context. */
  #nameMatches<T>(words: AddressWord[], index: Map<string, T[]>): (NameMatch & { places: T[] })[] {
    const matches: (NameMatch & { places: T[] })[] = [];
    for (let start = 0; start < words.length; start++) {
      for (let end = start + 1; end <= Math.min(words.length, start + this.#gazetteer.maxNameWords); end++) {
        if (words[end - 1]?.segment !== words[start]?.segment) break;
        const places = index.get(joinWords(words, start, end));
        if (!places) continue;
        matches.push({ start, end, places, score: scoreName(words, start, end) });
      }
    }
    return matches;
  }
}

function scoreName(words: AddressWord[], start: number, end: number): number {
  const length = end - start;
  // Names written later in the address are more likely the city: the street comes first.
  let score = 40 + 3 * length + (10 * end) / words.length;
  if (followsStreetWord(words, start)) score -= 30;
  const only = words[start]?.text ?? '';
  // One-word names that are also common words ("Rue", "Y", "Eu" are communes) count only beside a postcode.
  if (
    length === 1 &&
    (only.length <= 2 || STREET_WORDS.has(only) || CONNECTOR_WORDS.has(only) || /^\d+$/.test(only))
  ) {
    score -= 45;
  }
  return score;
}

/** True when the words before `start` are a street type and connectors, as in "rue de la". */
function followsStreetWord(words: AddressWord[], start: number): boolean {
  const segment = words[start]?.segment;
  for (let i = start - 1; i >= 0 && i >= start - 4; i--) {
    const word = words[i];
    if (!word || word.segment !== segment) return false;
    if (STREET_WORDS.has(word.text)) return true;
    if (!CONNECTOR_WORDS.has(word.text)) return false;
  }
  return false;
}

function joinWords(words: AddressWord[], start: number, end: number): string {
  return words
    .slice(start, end)
    .map((w) => w.text)
    .join('');
}

function kindRank(place: FrenchPlace): number {
  return place.kind === 'd' ? 0 : 1;
}

/** "75381" is in Paris (75), "20090" in Corsica (2A or 2B: the name decides), "97400" in Réunion (974). */
function departmentOfPostcode(postcode: string): string {
  if (postcode.startsWith('97') || postcode.startsWith('98')) return postcode.slice(0, 3);
  if (postcode.startsWith('20')) return Number(postcode) < 20200 ? '2A' : '2B';
  return postcode.slice(0, 2);
}

function countryResult(country: Country): GeocodeResult {
  return {
    lat: country.lat,
    lon: country.lon,
    precision: 'country',
    label: country.name,
    countryCode: country.code,
  };
}
