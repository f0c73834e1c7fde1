/**
 * Converts Natural Earth land and country outlines (TopoJSON of the npm package world-atlas) into
 * the compact binary shape files that the offline map draws, and measures each country's main
 * outline for country-level geocoding.
 */
import { createRequire } from 'node:module';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { encodeShapes } from '../../src/maps/shapes.ts';
import { numericToAlpha2 } from './world.ts';

const require = createRequire(import.meta.url);

type Ring = Position[];

function loadTopology(file: string): Topology {
  return require(`world-atlas/${file}`) as Topology;
}

function polygonsOf(geometry: Polygon | MultiPolygon | null): Ring[][] {
  if (!geometry) return [];
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

/** Outer and inner rings of the land: the map fills them with the even-odd rule, so lakes stay water. */
export function landRings(resolution: '10m' | '50m' | '110m'): Buffer {
  const topology = loadTopology(`land-${resolution}.json`);
  const land = feature(topology, topology.objects.land as GeometryCollection);
  const rings: Ring[] = [];
  const features = 'features' in land ? land.features : [land];
  for (const f of features)
    for (const polygon of polygonsOf(f.geometry as Polygon | MultiPolygon)) rings.push(...polygon);
  return encodeShapes(rings);
}

/** Land borders between two countries, without coastlines. */
export function borderLines(resolution: '10m' | '50m' | '110m'): Buffer {
  const topology = loadTopology(`countries-${resolution}.json`);
  const lines = mesh(topology, topology.objects.countries as GeometryCollection, (a, b) => a !== b);
  return encodeShapes(lines.coordinates);
}

export interface CountryOutline {
  lat: number;
  lon: number;
  bbox: [number, number, number, number];
}

/** The centre and box of each country's largest polygon (for France: the mainland, not Guiana). */
export function countryOutlines(): Map<string, CountryOutline> {
  const topology = loadTopology('countries-50m.json');
  const collection = feature(topology, topology.objects.countries as GeometryCollection);
  const outlines = new Map<string, CountryOutline>();
  for (const f of 'features' in collection ? collection.features : []) {
    const code = f.id === undefined ? undefined : numericToAlpha2(String(f.id));
    if (!code) continue;
    let best: { area: number; ring: Ring } | undefined;
    for (const polygon of polygonsOf(f.geometry as Polygon | MultiPolygon)) {
      const ring = polygon[0];
      if (!ring) continue;
      const area = Math.abs(signedArea(ring));
      if (!best || area > best.area) best = { area, ring };
    }
    if (!best) continue;
    const lons = best.ring.map((p) => p[0] ?? 0);
    const lats = best.ring.map((p) => p[1] ?? 0);
    const bbox: [number, number, number, number] = [
      Math.min(...lons),
      Math.min(...lats),
      Math.max(...lons),
      Math.max(...lats),
    ];
    outlines.set(code, { lon: (bbox[0] + bbox[2]) / 2, lat: (bbox[1] + bbox[3]) / 2, bbox });
  }
  return outlines;
}

function signedArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x1 = 0, y1 = 0] = ring[j] ?? [];
    const [x2 = 0, y2 = 0] = ring[i] ?? [];
    sum += x1 * y2 - x2 * y1;
  }
  return sum / 2;
}
