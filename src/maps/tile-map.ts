/**
 * The online map: raster tiles of an XYZ server (OpenStreetMap's layout: /{z}/{x}/{y}.png, 256
 * pixels, Web Mercator) stitched around the place, with the pin, the place label and the credit
 * line the tile licence requires. Tiles are cached on disk. Any tile that cannot be fetched or
 * decoded fails the whole map: a blank square never reaches the video.
 */
import { createCanvas, loadImage, type Image } from '@napi-rs/canvas';
import { VidataError } from '../errors.ts';
import { DAY_MS, DiskCache, FetchFailure, RequestPacer, fetchBytes } from './http.ts';
import { frameFor } from './offline-map.ts';
import { TILE_SIZE, centeredViewport } from './projection.ts';
import { drawCredit, drawLabel, drawPin, printable, unit, type ResolvedStyle } from './style.ts';
import type { GeocodeResult } from './types.ts';

export interface TileMapOptions {
  /** URL template with {z}, {x} and {y}. */
  urlTemplate: string;
  attribution: string;
  timeoutMs: number;
  maxZoom: number;
  userAgent: string;
  cacheFolder?: string;
  cacheDays: number;
}

/** Tiles fetched at once from the server; tile usage policies ask clients to keep this low. */
const CONCURRENT_TILE_REQUESTS = 4;

export class TileMap {
  readonly #options: TileMapOptions;
  readonly #pacer = new RequestPacer(0);
  readonly #cache: DiskCache | undefined;

  constructor(options: TileMapOptions) {
    this.#options = options;
    this.#cache = options.cacheFolder
      ? new DiskCache(options.cacheFolder, options.cacheDays * DAY_MS)
      : undefined;
  }

  async draw(options: {
    result: GeocodeResult;
    width: number;
    height: number;
    style: ResolvedStyle;
    signal?: AbortSignal;
  }): Promise<Buffer> {
    const { result, width, height, style } = options;
    // Whole zoom levels only, so that tiles are drawn at their own size and stay sharp.
    const zoom = Math.max(
      0,
      Math.min(
        this.#options.maxZoom,
        Math.floor(frameFor(result, width, height, this.#options.maxZoom).view.zoom),
      ),
    );
    const view = centeredViewport({ lon: result.lon, lat: result.lat, zoom, width, height });
    const tilesPerSide = 2 ** zoom;

    const wanted: { x: number; y: number; left: number; top: number }[] = [];
    for (let ty = Math.floor(view.top / TILE_SIZE); ty * TILE_SIZE < view.top + height; ty++) {
      // Rows above the north or below the south edge of the world stay the water colour.
      if (ty < 0 || ty >= tilesPerSide) continue;
      for (let tx = Math.floor(view.left / TILE_SIZE); tx * TILE_SIZE < view.left + width; tx++) {
        const wrapped = ((tx % tilesPerSide) + tilesPerSide) % tilesPerSide;
        wanted.push({ x: wrapped, y: ty, left: tx * TILE_SIZE - view.left, top: ty * TILE_SIZE - view.top });
      }
    }
    const images = await mapWithLimit(wanted, CONCURRENT_TILE_REQUESTS, (tile) =>
      this.#tile(zoom, tile.x, tile.y, options.signal),
    );

    const canvas = createCanvas(width, height);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = style.water;
    ctx.fillRect(0, 0, width, height);
    wanted.forEach((tile, i) => {
      const image = images[i];
      if (image) ctx.drawImage(image, Math.round(tile.left), Math.round(tile.top), TILE_SIZE, TILE_SIZE);
    });
    const size = unit(width, height);
    drawPin(ctx, width / 2, height / 2, style.pin, size);
    drawLabel(ctx, printable(result.label, style), {
      x: width / 2,
      y: height / 2 + 12 * size,
      size: Math.round(15 * size),
      weight: 600,
      font: style.font,
      color: style.label,
      halo: '#ffffff',
      align: 'center',
    });
    drawCredit(ctx, printable(this.#options.attribution, style), { width, height, font: style.font, size });
    return canvas.encode('png');
  }

  async #tile(z: number, x: number, y: number, signal: AbortSignal | undefined): Promise<Image> {
    const url = this.#options.urlTemplate
      .replace('{z}', String(z))
      .replace('{x}', String(x))
      .replace('{y}', String(y));
    let bytes = await this.#cache?.get(url);
    const fromCache = bytes !== undefined;
    if (!bytes) {
      try {
        bytes = await fetchBytes(url, {
          timeoutMs: this.#options.timeoutMs,
          userAgent: this.#options.userAgent,
          pacer: this.#pacer,
          signal,
          headers: { accept: 'image/png, image/jpeg, image/webp, image/*' },
        });
      } catch (error) {
        if (error instanceof FetchFailure) {
          throw new VidataError(
            'MAP_TILES_FAILED',
            `The map tile ${z}/${x}/${y} could not be fetched: ${error.message}.`,
            {
              cause: error,
              details: { kind: error.kind, tile: `${z}/${x}/${y}` },
            },
          );
        }
        throw error;
      }
    }
    let image: Image;
    try {
      image = await loadImage(bytes);
    } catch (cause) {
      throw new VidataError('MAP_TILES_FAILED', `The map tile ${z}/${x}/${y} is not a readable image.`, {
        cause,
        details: { tile: `${z}/${x}/${y}` },
      });
    }
    // Only tiles that decode are cached, so a broken response is fetched again next time.
    if (!fromCache) await this.#cache?.set(url, bytes);
    return image;
  }
}

/** Runs `task` over `items` with at most `limit` running at once; rejects on the first failure. */
async function mapWithLimit<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
