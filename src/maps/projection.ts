/**
 * Web Mercator (EPSG:3857), the projection of XYZ tile servers, so that offline and online maps
 * frame a place the same way. World pixel coordinates at zoom z span 256 * 2^z pixels.
 */
import type { GeocodePrecision } from './types.ts';

export const TILE_SIZE = 256;
/** Web Mercator cuts the poles off at this latitude. */
const MAX_LATITUDE = 85.05112878;
/** Metres per pixel at zoom 0 on the equator: the Earth's circumference over 256 pixels. */
const METRES_PER_PIXEL_AT_ZOOM_0 = 156543.03392;

export interface Viewport {
  /** World pixel coordinates of the image's top-left corner at `zoom`. */
  left: number;
  top: number;
  zoom: number;
  width: number;
  height: number;
}

export function worldPixel(lon: number, lat: number, zoom: number): { x: number; y: number } {
  const size = TILE_SIZE * 2 ** zoom;
  const clamped = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
  const sin = Math.sin((clamped * Math.PI) / 180);
  return {
    x: ((lon + 180) / 360) * size,
    y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * size,
  };
}

export function lonLatOfWorldPixel(x: number, y: number, zoom: number): { lon: number; lat: number } {
  const size = TILE_SIZE * 2 ** zoom;
  const lon = (x / size) * 360 - 180;
  const n = Math.PI - (2 * Math.PI * y) / size;
  return { lon, lat: (180 / Math.PI) * Math.atan(Math.sinh(n)) };
}

export function centeredViewport(options: {
  lon: number;
  lat: number;
  zoom: number;
  width: number;
  height: number;
}): Viewport {
  const center = worldPixel(options.lon, options.lat, options.zoom);
  return {
    left: center.x - options.width / 2,
    top: center.y - options.height / 2,
    zoom: options.zoom,
    width: options.width,
    height: options.height,
  };
}

/** The longitude and latitude bounds a viewport shows. */
export function viewportBounds(view: Viewport): {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
} {
  const topLeft = lonLatOfWorldPixel(view.left, view.top, view.zoom);
  const bottomRight = lonLatOfWorldPixel(view.left + view.width, view.top + view.height, view.zoom);
  return { minLon: topLeft.lon, maxLat: topLeft.lat, maxLon: bottomRight.lon, minLat: bottomRight.lat };
}

/** Zoom at which `spanKm` kilometres fill the shorter side of a `pixels`-wide image at latitude `lat`. */
export function zoomForSpan(spanKm: number, pixels: number, lat: number): number {
  const metresPerPixel = (spanKm * 1000) / pixels;
  return Math.log2((METRES_PER_PIXEL_AT_ZOOM_0 * Math.cos((lat * Math.PI) / 180)) / metresPerPixel);
}

/** Zoom at which a longitude-latitude box fits in the image, with a margin. */
export function zoomForBox(box: [number, number, number, number], width: number, height: number): number {
  const [minLon, minLat, maxLon, maxLat] = box;
  const a = worldPixel(minLon, maxLat, 0);
  const b = worldPixel(maxLon, minLat, 0);
  const margin = 1.15;
  const zoomX = Math.log2(width / (Math.max(b.x - a.x, 1e-9) * margin));
  const zoomY = Math.log2(height / (Math.max(b.y - a.y, 1e-9) * margin));
  return Math.min(zoomX, zoomY);
}

/**
 * Kilometres shown across the shorter side of the map for each precision. An estimated point gets
 * twice the span, so that the pin's error stays small on the image.
 */
export const SPAN_KM: Record<Exclude<GeocodePrecision, 'country'>, number> = {
  street: 3,
  postcode: 8,
  city: 20,
};
