/** The maps module: geocoders (offline table, Nominatim, Photon, addok) and the map image provider. */
export {
  createMapProvider,
  templateMapFonts,
  MAX_MAP_SIDE,
  type KnownLocations,
  type LocateOptions,
  type MapLogger,
  type MapProviderOptions,
  type VidataMapProvider,
} from './provider.ts';
export { mapSettingsSchema, checkMapSettings, defaultMapSettings, type MapSettings } from './settings.ts';
export { OfflineGeocoder } from './offline-geocoder.ts';
export { OnlineGeocoder, type GeocoderProtocol, type OnlineGeocoderOptions } from './online-geocoder.ts';
export type { MapFont } from './style.ts';
export type { GeocodeOptions, GeocodePrecision, GeocodeResult, Geocoder } from './types.ts';
export { checkAddresses } from './check.ts';
