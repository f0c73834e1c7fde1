/**
 * The online geocoder, for production: it queries a Nominatim, Photon or addok server that the
 * operator runs or pays for. All three return GeoJSON, and only the query path and the properties
 * differ. Results, "not found" included, are cached in memory and on disk.
 */
import { z } from 'zod';
import { VidataError } from '../errors.ts';
import { DAY_MS, DiskCache, FetchFailure, RequestPacer, fetchBytes, hostOf } from './http.ts';
import { normalizeText } from './text.ts';
import type { GeocodeOptions, GeocodePrecision, GeocodeResult, Geocoder } from './types.ts';

export type GeocoderProtocol = 'nominatim' | 'photon' | 'addok';

export interface OnlineGeocoderOptions {
  protocol: GeocoderProtocol;
  /** Base URL of the server; the protocol's path ("/search", "/api") is appended. */
  url: string;
  timeoutMs: number;
  minIntervalMs: number;
  language: string;
  userAgent: string;
  /** Folder of the disk cache; none when undefined. */
  cacheFolder?: string;
  cacheDays: number;
}

/** addok scores every result from 0 to 1 and always returns one, so a result scoring below this is a guess. */
const ADDOK_MIN_SCORE = 0.4;
/** Maximum number of results kept in memory; the least recently stored is dropped first. */
const MEMORY_CACHE_SIZE = 1000;

const pointSchema = z.object({
  type: z.literal('Point'),
  coordinates: z.tuple([z.number(), z.number()]).rest(z.number()),
});
const featureCollectionSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({ geometry: pointSchema, properties: z.record(z.string(), z.unknown()).default({}) }),
  ),
});
type Feature = z.infer<typeof featureCollectionSchema>['features'][number];

export class OnlineGeocoder implements Geocoder {
  readonly isSynchronous = false;
  readonly #options: OnlineGeocoderOptions;
  readonly #pacer: RequestPacer;
  readonly #disk: DiskCache | undefined;
  readonly #memory = new Map<string, GeocodeResult | null>();

  constructor(options: OnlineGeocoderOptions) {
    this.#options = options;
    this.#pacer = new RequestPacer(options.minIntervalMs);
    this.#disk = options.cacheFolder
      ? new DiskCache(options.cacheFolder, options.cacheDays * DAY_MS)
      : undefined;
  }

  async geocode(address: string, options: GeocodeOptions = {}): Promise<GeocodeResult | undefined> {
    const query = address.replace(/\s+/g, ' ').trim();
    if (normalizeText(query) === '') return undefined;
    const url = this.#requestUrl(query);
    const key = `${this.#options.protocol} ${url}`;

    const remembered = this.#memory.get(key);
    if (remembered !== undefined) return remembered ?? undefined;
    const cached = await this.#disk?.get(key);
    const fromDisk = cached && readCachedResult(cached);
    if (fromDisk !== undefined) {
      this.#remember(key, fromDisk);
      return fromDisk ?? undefined;
    }

    let body: Buffer;
    try {
      body = await fetchBytes(url, {
        timeoutMs: this.#options.timeoutMs,
        userAgent: this.#options.userAgent,
        pacer: this.#pacer,
        signal: options.signal,
        headers: {
          accept: 'application/geo+json, application/json',
          'accept-language': this.#options.language,
        },
      });
    } catch (error) {
      if (error instanceof FetchFailure) {
        throw new VidataError('GEOCODER_FAILED', `The geocoder failed: ${error.message}.`, {
          cause: error,
          details: { kind: error.kind },
        });
      }
      throw error;
    }
    const result = this.#parse(body) ?? null;
    this.#remember(key, result);
    await this.#disk?.set(key, Buffer.from(JSON.stringify(result)));
    return result ?? undefined;
  }

  #requestUrl(query: string): string {
    const base = this.#options.url.replace(/\/+$/, '');
    const params = new URLSearchParams({ q: query, limit: '1' });
    switch (this.#options.protocol) {
      case 'nominatim':
        params.set('format', 'geojson');
        params.set('addressdetails', '1');
        return `${base}/search?${params.toString()}`;
      case 'photon':
        params.set('lang', this.#options.language);
        return `${base}/api?${params.toString()}`;
      case 'addok':
        return `${base}/search/?${params.toString()}`;
    }
  }

  #parse(body: Buffer): GeocodeResult | undefined {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (cause) {
      throw this.#badAnswer('is not JSON', cause);
    }
    const parsed = featureCollectionSchema.safeParse(json);
    if (!parsed.success) throw this.#badAnswer('is not a GeoJSON FeatureCollection of points', parsed.error);
    const feature = parsed.data.features[0];
    if (!feature) return undefined;
    const [lon, lat] = feature.geometry.coordinates;
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) throw this.#badAnswer('has coordinates out of range');
    const read = { nominatim: readNominatim, photon: readPhoton, addok: readAddok }[this.#options.protocol];
    const details = read(feature);
    return details && { lat, lon, ...details };
  }

  #badAnswer(problem: string, cause?: unknown): VidataError {
    return new VidataError(
      'GEOCODER_FAILED',
      `The answer of the geocoder at ${hostOf(this.#options.url)} ${problem}.`,
      { cause },
    );
  }

  #remember(key: string, result: GeocodeResult | null): void {
    this.#memory.delete(key);
    this.#memory.set(key, result);
    if (this.#memory.size > MEMORY_CACHE_SIZE)
      this.#memory.delete(this.#memory.keys().next().value as string);
  }
}

/**
 * Reads a cache file: a result, null for a cached "not found", or undefined when the file is
 * unreadable, so that the address is fetched again.
 */
function readCachedResult(data: Buffer): GeocodeResult | null | undefined {
  try {
    return JSON.parse(data.toString('utf8')) as GeocodeResult | null;
  } catch {
    return undefined;
  }
}

type Details = Omit<GeocodeResult, 'lat' | 'lon'>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Nominatim's place_rank: 4 country, 8-12 region, 16-20 city to hamlet, 21-25 postcode and district, 26-30 street and house. */
function readNominatim(feature: Feature): Details {
  const p = feature.properties;
  const rank = typeof p.place_rank === 'number' ? p.place_rank : 16;
  const address = (typeof p.address === 'object' && p.address !== null ? p.address : {}) as Record<
    string,
    unknown
  >;
  const precision = nominatimPrecision(rank);
  const city =
    text(address.city) ?? text(address.town) ?? text(address.village) ?? text(address.municipality);
  const label =
    (precision === 'street' ? (text(address.road) ?? text(p.name)) : (text(p.name) ?? city)) ??
    text(p.display_name)?.split(',')[0] ??
    '';
  return { precision, label, countryCode: (text(address.country_code) ?? '').toUpperCase() };
}

function nominatimPrecision(rank: number): GeocodePrecision {
  if (rank >= 26) return 'street';
  if (rank >= 21) return 'postcode';
  if (rank > 4) return 'city';
  return 'country';
}

/** Photon's `type`: house, street, locality, district, city, county, state, country or other. */
function readPhoton(feature: Feature): Details {
  const p = feature.properties;
  const type = text(p.type) ?? 'other';
  let precision: GeocodePrecision = 'city';
  if (type === 'house' || type === 'street') precision = 'street';
  else if (type === 'district' || type === 'locality') precision = 'postcode';
  else if (type === 'country') precision = 'country';
  const label =
    (precision === 'street' ? (text(p.street) ?? text(p.name)) : (text(p.name) ?? text(p.city))) ??
    text(p.city) ??
    '';
  return { precision, label, countryCode: (text(p.countrycode) ?? '').toUpperCase() };
}

/** addok (the French address server) `type`: housenumber, street, locality or municipality. */
function readAddok(feature: Feature): Details | undefined {
  const p = feature.properties;
  if (typeof p.score === 'number' && p.score < ADDOK_MIN_SCORE) return undefined;
  const type = text(p.type) ?? 'municipality';
  let precision: GeocodePrecision = 'city';
  if (type === 'housenumber' || type === 'street') precision = 'street';
  else if (type === 'locality') precision = 'postcode';
  const label =
    (precision === 'street' ? (text(p.street) ?? text(p.name)) : (text(p.name) ?? text(p.city))) ??
    text(p.label) ??
    '';
  return { precision, label, countryCode: 'FR' };
}
