/**
 * Settings of the maps module, as environment variables. The defaults use no network at all: the
 * offline geocoder and the offline locator map. No request leaves the machine unless the operator
 * sets VIDATA_GEOCODER to an online protocol or sets VIDATA_TILES_URL.
 */
import { z } from 'zod';
import { VidataError } from '../errors.ts';

const milliseconds = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

export const mapSettingsSchema = z.object({
  /** Geocoding protocol: the built-in offline table, or a Nominatim, Photon or addok server. Default: offline. */
  VIDATA_GEOCODER: z.enum(['offline', 'nominatim', 'photon', 'addok']).default('offline'),
  /** Base URL of the geocoding server, e.g. http://nominatim.internal:8080; required unless offline. */
  VIDATA_GEOCODER_URL: z.url().optional(),
  /** Time allowed for one geocoding request, retries included. Default: 5000 ms. */
  VIDATA_GEOCODER_TIMEOUT_MS: milliseconds(5000),
  /**
   * Minimum time between two requests to the geocoding server. Default: 0. The public Nominatim
   * server's usage policy allows at most one request a second (1000).
   */
  VIDATA_GEOCODER_MIN_INTERVAL_MS: milliseconds(0),
  /** Preferred language of the labels the geocoder returns (Accept-Language). Default: fr. */
  VIDATA_GEOCODER_LANGUAGE: z.string().min(2).default('fr'),
  /** Days a geocoding result is kept in the disk cache. Default: 30; 0 turns the disk cache off. */
  VIDATA_GEOCODER_CACHE_DAYS: z.coerce.number().min(0).default(30),
  /** XYZ raster tile URL with {z}, {x} and {y}, e.g. http://tiles.internal/{z}/{x}/{y}.png. Default: none (offline map). */
  VIDATA_TILES_URL: z
    .string()
    .refine((url) => ['{z}', '{x}', '{y}'].every((part) => url.includes(part)) && /^https?:\/\//.test(url), {
      message: 'must be an http(s) URL containing {z}, {x} and {y}',
    })
    .optional(),
  /** Credit line the tile licence requires, drawn on every map, e.g. "© OpenStreetMap contributors". */
  VIDATA_TILES_ATTRIBUTION: z.string().optional(),
  /** Time allowed for one tile request, retries included. Default: 5000 ms. */
  VIDATA_TILES_TIMEOUT_MS: milliseconds(5000),
  /** Highest zoom level the tile server serves. Default: 18. */
  VIDATA_TILES_MAX_ZOOM: z.coerce.number().int().min(0).max(22).default(18),
  /** Action on a failed tile: fail the map (MAP_TILES_FAILED, retried) or draw the offline map instead. Default: fail. */
  VIDATA_TILES_ON_ERROR: z.enum(['fail', 'offline']).default('fail'),
  /** Days a tile is kept in the disk cache. Default: 30. */
  VIDATA_TILES_CACHE_DAYS: z.coerce.number().min(0).default(30),
  /** User-Agent sent to geocoding and tile servers, which their usage policies ask to identify the application. */
  VIDATA_MAPS_USER_AGENT: z.string().min(1).default('vidata/0.1 (self-hosted personalized video)'),
});

export type MapSettings = z.infer<typeof mapSettingsSchema>;

/** Checks the settings that depend on each other; throws VALIDATION_FAILED naming the setting. */
export function checkMapSettings(settings: MapSettings): void {
  if (settings.VIDATA_GEOCODER !== 'offline' && !settings.VIDATA_GEOCODER_URL) {
    throw new VidataError(
      'VALIDATION_FAILED',
      `VIDATA_GEOCODER is ${settings.VIDATA_GEOCODER} but VIDATA_GEOCODER_URL is missing; set the URL of the server.`,
      { field: 'VIDATA_GEOCODER_URL' },
    );
  }
  if (settings.VIDATA_TILES_URL && !settings.VIDATA_TILES_ATTRIBUTION?.trim()) {
    throw new VidataError(
      'VALIDATION_FAILED',
      'VIDATA_TILES_URL is set but VIDATA_TILES_ATTRIBUTION is missing; set the credit line the tile licence requires.',
      { field: 'VIDATA_TILES_ATTRIBUTION' },
    );
  }
}

/** Returns the settings with every default: offline geocoding and offline maps. */
export function defaultMapSettings(): MapSettings {
  return mapSettingsSchema.parse({});
}
