/**
 * The binary format of the committed shape files (land rings, border lines). A file is gzip of
 * little-endian 32-bit integers: the shape count, then for each shape its point count, its bounding
 * box and its points. Coordinates are in units of 1e-5 degree (about one metre), and each point but
 * the first of a shape is stored as the difference from the previous one so that gzip packs it well.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

const UNITS_PER_DEGREE = 1e5;

export interface Shape {
  /** Longitude, latitude pairs in degrees. */
  points: Float64Array;
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

export function encodeShapes(shapes: readonly (readonly (readonly number[])[])[]): Buffer {
  const values: number[] = [shapes.length];
  for (const shape of shapes) {
    const xs = shape.map((p) => Math.round((p[0] ?? 0) * UNITS_PER_DEGREE));
    const ys = shape.map((p) => Math.round((p[1] ?? 0) * UNITS_PER_DEGREE));
    values.push(shape.length, Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys));
    let previousX = 0;
    let previousY = 0;
    for (let i = 0; i < shape.length; i++) {
      const x = xs[i] ?? 0;
      const y = ys[i] ?? 0;
      values.push(x - previousX, y - previousY);
      previousX = x;
      previousY = y;
    }
  }
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeInt32LE(value, i * 4));
  return gzipSync(buffer, { level: 9 });
}

export function decodeShapes(file: Buffer): Shape[] {
  let raw = gunzipSync(file);
  // Int32Array views need an offset that is a multiple of 4; a pooled buffer may not have one.
  if (raw.byteOffset % 4 !== 0) raw = Buffer.from(raw);
  const ints = new Int32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const shapes: Shape[] = [];
  let at = 0;
  const count = ints[at++] ?? 0;
  for (let s = 0; s < count; s++) {
    const n = ints[at++] ?? 0;
    const minX = ints[at++] ?? 0;
    const minY = ints[at++] ?? 0;
    const maxX = ints[at++] ?? 0;
    const maxY = ints[at++] ?? 0;
    const points = new Float64Array(n * 2);
    let x = 0;
    let y = 0;
    for (let i = 0; i < n; i++) {
      x += ints[at++] ?? 0;
      y += ints[at++] ?? 0;
      points[i * 2] = x / UNITS_PER_DEGREE;
      points[i * 2 + 1] = y / UNITS_PER_DEGREE;
    }
    shapes.push({
      points,
      minLon: minX / UNITS_PER_DEGREE,
      minLat: minY / UNITS_PER_DEGREE,
      maxLon: maxX / UNITS_PER_DEGREE,
      maxLat: maxY / UNITS_PER_DEGREE,
    });
  }
  return shapes;
}
