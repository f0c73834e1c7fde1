/**
 * The engine's MapProvider: geocodes the address, then draws the tile map when a tile server is
 * configured, or the offline locator map. `createMapProvider` builds it from the settings.
 */
import path from 'node:path';
import { VidataError, isVidataError } from '../errors.ts';
import type { MapImageRequest, MapProvider } from '../engine/types.ts';
import type { Template } from '../template/load.ts';
import { OfflineGeocoder } from './offline-geocoder.ts';
import { drawOfflineMap } from './offline-map.ts';
import { OnlineGeocoder } from './online-geocoder.ts';
import { checkMapSettings, type MapSettings } from './settings.ts';
import { resolveStyle, type MapFont } from './style.ts';
import { TileMap } from './tile-map.ts';
import type { GeocodeOptions, GeocodeResult, Geocoder } from './types.ts';

/** Largest side of a map image; a larger one is a template mistake and would take a lot of memory. */
export const MAX_MAP_SIDE = 8192;

/** The part of a pino logger this module uses. */
export interface MapLogger {
  warn(details: object, message: string): void;
}

export interface MapProviderOptions {
  /** Folder for the geocoder and tile caches (subfolders "geocoder" and "tiles" are made in it). */
  cacheDir?: string;
  /** Font files a map style may name by family, besides the shipped Noto Sans, Inter and Montserrat. */
  fonts?: readonly MapFont[];
  logger?: MapLogger;
}

export interface LocateOptions extends GeocodeOptions {
  /** The input field the address came from, set on ADDRESS_NOT_FOUND (`variables.TXT_MAP_IMG_x`). */
  field?: string;
}

export interface VidataMapProvider extends MapProvider {
  readonly geocoder: Geocoder;
  /** Geocodes an address; throws ADDRESS_NOT_FOUND, with `field`, when it cannot be placed. */
  locate(address: string, options?: LocateOptions): Promise<GeocodeResult>;
  /**
   * Returns a provider whose map styles may also name `fonts` (a template's own files). It shares
   * this provider's geocoder, caches and request pacing, so one provider per process is enough.
   * Addresses in `locations` are placed from it without the geocoder, and an address mapped to
   * undefined throws ADDRESS_NOT_FOUND, so a render process can reuse results geocoded elsewhere.
   */
  withFonts(fonts: readonly MapFont[], locations?: KnownLocations): MapProvider;
}

/** Geocoding results found earlier, by address; undefined marks an address that cannot be placed. */
export type KnownLocations = ReadonlyMap<string, GeocodeResult | undefined>;

/** Lists a template's font files in the form `withFonts` takes, so map styles may name them. */
export function templateMapFonts(template: Pick<Template, 'dir' | 'fonts'>): MapFont[] {
  return template.fonts.map((font) => ({
    family: font.family,
    file: path.join(template.dir, font.file),
    weight: font.weight,
  }));
}

export function createMapProvider(
  settings: MapSettings,
  options: MapProviderOptions = {},
): VidataMapProvider {
  checkMapSettings(settings);
  const cacheFolder = (name: string) => (options.cacheDir ? path.join(options.cacheDir, name) : undefined);
  // Made on first use: the offline tables take about 85 MB, which a render process that receives
  // its addresses already placed never needs.
  let madeGeocoder: Geocoder | undefined;
  const makeGeocoder = (): Geocoder =>
    settings.VIDATA_GEOCODER === 'offline'
      ? new OfflineGeocoder()
      : new OnlineGeocoder({
          protocol: settings.VIDATA_GEOCODER,
          url: settings.VIDATA_GEOCODER_URL ?? '',
          timeoutMs: settings.VIDATA_GEOCODER_TIMEOUT_MS,
          minIntervalMs: settings.VIDATA_GEOCODER_MIN_INTERVAL_MS,
          language: settings.VIDATA_GEOCODER_LANGUAGE,
          userAgent: settings.VIDATA_MAPS_USER_AGENT,
          cacheFolder: cacheFolder('geocoder'),
          cacheDays: settings.VIDATA_GEOCODER_CACHE_DAYS,
        });
  const geocoder = (): Geocoder => (madeGeocoder ??= makeGeocoder());
  const tiles = settings.VIDATA_TILES_URL
    ? new TileMap({
        urlTemplate: settings.VIDATA_TILES_URL,
        attribution: settings.VIDATA_TILES_ATTRIBUTION ?? '',
        timeoutMs: settings.VIDATA_TILES_TIMEOUT_MS,
        maxZoom: settings.VIDATA_TILES_MAX_ZOOM,
        userAgent: settings.VIDATA_MAPS_USER_AGENT,
        cacheFolder: cacheFolder('tiles'),
        cacheDays: settings.VIDATA_TILES_CACHE_DAYS,
      })
    : undefined;

  const locate = async (
    address: string,
    locateOptions: LocateOptions = {},
    known?: KnownLocations,
  ): Promise<GeocodeResult> => {
    const result =
      known?.has(address) === true
        ? known.get(address)
        : await geocoder().geocode(address, { signal: locateOptions.signal });
    if (!result) {
      const shown = address.length > 80 ? `${address.slice(0, 77)}...` : address;
      throw new VidataError('ADDRESS_NOT_FOUND', `The address "${shown}" could not be placed on a map.`, {
        field: locateOptions.field,
      });
    }
    return result;
  };

  const renderMap = async (
    request: MapImageRequest,
    fonts: readonly MapFont[],
    known?: KnownLocations,
  ): Promise<Buffer> => {
    checkSize(request.width, request.height);
    const result = await locate(request.address, { signal: request.signal }, known);
    const style = resolveStyle(request.style, fonts);
    if (!tiles) return drawOfflineMap({ result, width: request.width, height: request.height, style });
    try {
      return await tiles.draw({
        result,
        width: request.width,
        height: request.height,
        style,
        signal: request.signal,
      });
    } catch (error) {
      if (
        settings.VIDATA_TILES_ON_ERROR !== 'offline' ||
        !isVidataError(error) ||
        error.code !== 'MAP_TILES_FAILED'
      )
        throw error;
      options.logger?.warn(
        { code: error.code, details: error.details },
        'map tiles failed, offline map drawn instead',
      );
      return drawOfflineMap({ result, width: request.width, height: request.height, style });
    }
  };

  const baseFonts = options.fonts ?? [];
  return {
    get geocoder() {
      return geocoder();
    },
    locate: (address, locateOptions) => locate(address, locateOptions),
    renderMap: (request) => renderMap(request, baseFonts),
    withFonts: (fonts, locations) => ({
      renderMap: (request) => renderMap(request, [...fonts, ...baseFonts], locations),
    }),
  };
}

function checkSize(width: number, height: number): void {
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0 || value > MAX_MAP_SIDE) {
      throw new VidataError(
        'TEMPLATE_INVALID',
        `The map ${name} ${value} must be a whole number of pixels from 1 to ${MAX_MAP_SIDE}.`,
      );
    }
  }
}
