/**
 * The offline locator map: water, Natural Earth land and country borders, the names of nearby
 * places, the pin and the label of the place found. It shows no street, road or river: the
 * packaged data stops at places and country borders.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { DATA_FOLDER, loadMapPlaces } from './gazetteer.ts';
import {
  SPAN_KM,
  centeredViewport,
  viewportBounds,
  worldPixel,
  zoomForBox,
  zoomForSpan,
  type Viewport,
} from './projection.ts';
import { decodeShapes, type Shape } from './shapes.ts';
import { drawCredit, drawLabel, drawPin, printable, unit, type ResolvedStyle } from './style.ts';
import type { GeocodeResult } from './types.ts';

/** Credit owed to the sources of the offline map (GeoNames is CC BY 4.0). */
export const OFFLINE_CREDIT = 'GeoNames (CC BY 4.0) · Natural Earth';

/** Below this zoom the 1:50 million outlines are enough and four times lighter to draw. */
const DETAILED_ZOOM = 5;
/** At most this many place names besides the label of the place found. */
const MAX_PLACE_LABELS = 10;

const shapeCache = new Map<string, Shape[]>();

function shapes(file: string): Shape[] {
  let loaded = shapeCache.get(file);
  if (!loaded) {
    loaded = decodeShapes(readFileSync(path.join(DATA_FOLDER, file)));
    shapeCache.set(file, loaded);
  }
  return loaded;
}

export interface MapFrame {
  view: Viewport;
  /** Pixel position of the place in the image. */
  x: number;
  y: number;
}

/** Frames the place: zoom chosen by its precision, centred on it. */
export function frameFor(result: GeocodeResult, width: number, height: number, maxZoom = 20): MapFrame {
  let zoom: number;
  if (result.precision === 'country') {
    const country = loadMapPlaces().countryByCode.get(result.countryCode);
    zoom = country ? zoomForBox(country.bbox, width, height) : 4;
  } else {
    const span = SPAN_KM[result.precision] * (result.approximate ? 2 : 1);
    zoom = zoomForSpan(span, Math.min(width, height), result.lat);
  }
  zoom = Math.max(1, Math.min(maxZoom, zoom));
  const view = centeredViewport({ lon: result.lon, lat: result.lat, zoom, width, height });
  return { view, x: width / 2, y: height / 2 };
}

export async function drawOfflineMap(options: {
  result: GeocodeResult;
  width: number;
  height: number;
  style: ResolvedStyle;
}): Promise<Buffer> {
  const { result, width, height, style } = options;
  const frame = frameFor(result, width, height);
  const { view } = frame;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const size = unit(width, height);

  ctx.fillStyle = style.water;
  ctx.fillRect(0, 0, width, height);

  // NOTE: outlines are not repeated across the 180th meridian, so a map of Wallis-et-Futuna or Fiji
  // shows sea where the land east or west of that line would be.
  const detailed = view.zoom >= DETAILED_ZOOM;
  const bounds = viewportBounds(view);
  const visible = (shape: Shape) =>
    shape.maxLon >= bounds.minLon &&
    shape.minLon <= bounds.maxLon &&
    shape.maxLat >= bounds.minLat &&
    shape.minLat <= bounds.maxLat;

  ctx.beginPath();
  for (const ring of shapes(detailed ? 'land-10m.bin.gz' : 'land-50m.bin.gz'))
    if (visible(ring)) tracePath(ctx, ring, view, true);
  ctx.fillStyle = style.land;
  // Even-odd filling leaves the inner rings of the land (large lakes) as water.
  ctx.fill('evenodd');

  ctx.beginPath();
  for (const line of shapes(detailed ? 'borders-10m.bin.gz' : 'borders-50m.bin.gz'))
    if (visible(line)) tracePath(ctx, line, view, false);
  ctx.strokeStyle = style.border;
  ctx.lineWidth = 1.5 * size;
  ctx.setLineDash([6 * size, 3 * size]);
  ctx.stroke();
  ctx.setLineDash([]);

  drawPlaceNames(ctx, { view, style, size, result, pin: frame });

  drawPin(ctx, frame.x, frame.y, style.pin, size);
  drawLabel(ctx, printable(result.label, style), {
    x: frame.x,
    y: frame.y + 12 * size,
    size: Math.round(15 * size),
    weight: 600,
    font: style.font,
    color: style.label,
    halo: style.land,
    align: 'center',
  });
  drawCredit(ctx, printable(OFFLINE_CREDIT, style), { width, height, font: style.font, size });
  // encode() compresses on a libuv worker thread, so the event loop stays free for other requests.
  return canvas.encode('png');
}

function tracePath(ctx: SKRSContext2D, shape: Shape, view: Viewport, closed: boolean): void {
  const { points } = shape;
  const scale = 2 ** view.zoom;
  for (let i = 0; i < points.length; i += 2) {
    // Inlined projection: this loop runs over every visible outline point.
    const lon = points[i] ?? 0;
    const lat = points[i + 1] ?? 0;
    const p = worldPixel(lon, lat, 0);
    const x = p.x * scale - view.left;
    const y = p.y * scale - view.top;
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  if (closed) ctx.closePath();
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Names the largest places in view, skipping any that would overlap another name or the pin. */
function drawPlaceNames(
  ctx: SKRSContext2D,
  options: {
    view: Viewport;
    style: ResolvedStyle;
    size: number;
    result: GeocodeResult;
    pin: { x: number; y: number };
  },
): void {
  const { view, style, size, result, pin } = options;
  const bounds = viewportBounds(view);
  const taken: Box[] = [
    // The pin and the label under it.
    { left: pin.x - 16 * size, top: pin.y - 40 * size, right: pin.x + 16 * size, bottom: pin.y + 2 * size },
    { left: pin.x - 90 * size, top: pin.y + 2 * size, right: pin.x + 90 * size, bottom: pin.y + 24 * size },
  ];
  const fontSize = Math.round(11 * size);
  let drawn = 0;
  for (const place of loadMapPlaces().labelPlaces) {
    if (drawn >= MAX_PLACE_LABELS) break;
    if (
      place.lon < bounds.minLon ||
      place.lon > bounds.maxLon ||
      place.lat < bounds.minLat ||
      place.lat > bounds.maxLat
    )
      continue;
    if (place.name === result.label) continue;
    // A name the font cannot fully draw is skipped rather than shown with holes.
    if (printable(place.name, style) !== place.name) continue;
    const p = worldPixel(place.lon, place.lat, view.zoom);
    const x = p.x - view.left;
    const y = p.y - view.top;
    ctx.font = `400 ${fontSize}px ${style.font}`;
    const textWidth = ctx.measureText(place.name).width;
    const box: Box = {
      left: x - 4 * size,
      top: y - fontSize,
      right: x + 6 * size + textWidth,
      bottom: y + fontSize,
    };
    if (box.left < 0 || box.right > view.width || box.top < 0 || box.bottom > view.height) continue;
    if (taken.some((t) => overlaps(t, box))) continue;
    taken.push(box);
    drawn += 1;
    ctx.beginPath();
    ctx.arc(x, y, 2.5 * size, 0, 2 * Math.PI);
    ctx.fillStyle = style.label;
    ctx.fill();
    drawLabel(ctx, place.name, {
      x: x + 5 * size,
      y,
      size: fontSize,
      weight: 400,
      font: style.font,
      color: style.label,
      halo: style.land,
    });
  }
}

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}
