/** Contracts of the maps module: geocoders turn a postal address into a point on the map. */

/**
 * Extent of the place a coordinate locates, from the finest to the coarsest: a street or house, a
 * postcode area or city district (such as an arrondissement), a city or commune, a whole country.
 */
export type GeocodePrecision = 'street' | 'postcode' | 'city' | 'country';

export interface GeocodeResult {
  lat: number;
  lon: number;
  precision: GeocodePrecision;
  /** Short name of the place found, shown beside the pin ("Paris 8e Arrondissement", "Genève"). */
  label: string;
  /**
   * ISO 3166-1 alpha-2 code. A commune of an overseas department is "FR"; an overseas territory
   * found only by its name ("Guadeloupe") keeps its own code ("GP").
   */
  countryCode: string;
  /**
   * True when the point is an estimate near the place rather than the place itself (the offline
   * table places small communes at the centre of their postcode's neighbours). The map then zooms out.
   */
  approximate?: boolean;
}

export interface GeocodeOptions {
  signal?: AbortSignal;
}

export interface Geocoder {
  /**
   * True when `geocode` needs no network and returns at once, so a caller can reject an unknown
   * address (ADDRESS_NOT_FOUND) while the request that sent it is still open.
   */
  readonly isSynchronous: boolean;
  /**
   * Returns the best match, or undefined when the address cannot be placed. Throws VidataError
   * GEOCODER_FAILED when the service fails (network error, timeout, bad response, rate limit).
   */
  geocode(address: string, options?: GeocodeOptions): Promise<GeocodeResult | undefined>;
}
