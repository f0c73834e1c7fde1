import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createCanvas } from '@napi-rs/canvas';
import sharp from 'sharp';
import { isVidataError } from '../../src/errors.ts';
import { createMapProvider, mapSettingsSchema, type MapSettings } from '../../src/maps/index.ts';
import { startFakeServer, type FakeServer } from './fake-server.ts';

let server: FakeServer;
let cacheRoot: string;
let caseNumber = 0;

/** Draws a plain tile whose colour encodes its x and y, so the test can tell which tile lands where. */
function tilePng(x: number, y: number): Buffer {
  const canvas = createCanvas(256, 256);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = `rgb(${(x * 37) % 256}, ${(y * 53) % 256}, 200)`;
  ctx.fillRect(0, 0, 256, 256);
  return canvas.toBuffer('image/png');
}

const servePng = (_req: unknown, res: import('node:http').ServerResponse, url: URL) => {
  const match = /^\/tiles\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(url.pathname);
  if (!match) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'image/png' }).end(tilePng(Number(match[2]), Number(match[3])));
};

before(async () => {
  server = await startFakeServer(servePng);
  cacheRoot = await mkdtemp(path.join(tmpdir(), 'vidata-tiles-'));
});
after(async () => {
  await server.close();
  await rm(cacheRoot, { recursive: true, force: true });
});
beforeEach(() => {
  server.requests.length = 0;
  server.handler = servePng;
});

function settings(extra: Record<string, string> = {}): MapSettings {
  return mapSettingsSchema.parse({
    VIDATA_TILES_URL: `${server.url}/tiles/{z}/{x}/{y}.png`,
    VIDATA_TILES_ATTRIBUTION: '© Test Tiles contributors',
    VIDATA_TILES_TIMEOUT_MS: '1500',
    ...extra,
  });
}

/** Returns a fresh cache folder per test, so that no test reads the tiles of another. */
function freshCache(): string {
  caseNumber += 1;
  return path.join(cacheRoot, `case-${caseNumber}`);
}

const request = { address: '21 avenue des Champs-Élysées 75008 Paris', width: 640, height: 360, style: {} };

describe('tile map', () => {
  it('stitches tiles into a PNG of the requested size', async () => {
    const png = await createMapProvider(settings(), { cacheDir: freshCache() }).renderMap(request);
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.width, 640);
    assert.equal(meta.height, 360);
    assert.ok(server.requests.length >= 4, `${server.requests.length} tiles`);
    for (const r of server.requests) {
      // A postcode-precision place gets 8 km across the 360 pixels: zoom 12.2 at Paris, rounded down.
      assert.match(r.url.pathname, /^\/tiles\/12\/\d+\/\d+\.png$/);
      assert.equal(r.headers['user-agent'], settings().VIDATA_MAPS_USER_AGENT);
    }
  });

  it('shows the tiles, the pin and the credit line', async () => {
    const png = await createMapProvider(settings(), { cacheDir: freshCache() }).renderMap(request);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3),
    ];
    // Top-left corner: a tile colour (blue channel 200), not the water background.
    assert.equal(pixel(2, 2)[2], 200);
    // Just above the pin's tip: the default pin red.
    const pin = pixel(320, 180 - 10);
    assert.ok((pin[0] ?? 0) > 180, `pin pixel ${pin.join(',')}`);
    assert.ok((pin[1] ?? 255) < 80, `pin pixel ${pin.join(',')}`);
    // The credit band lightens the bottom-right corner.
    const corner = pixel(636, 356);
    assert.ok((corner[0] ?? 0) > 150, `credit pixel ${corner.join(',')}`);
    assert.ok((corner[1] ?? 0) > 150, `credit pixel ${corner.join(',')}`);
  });

  it('reads tiles from the disk cache the second time', async () => {
    const cacheDir = freshCache();
    await createMapProvider(settings(), { cacheDir }).renderMap(request);
    const fetched = server.requests.length;
    server.handler = (_req, res) => res.writeHead(500).end();
    await createMapProvider(settings(), { cacheDir }).renderMap(request);
    assert.equal(server.requests.length, fetched);
  });

  it('fails with MAP_TILES_FAILED when a tile is missing', async () => {
    server.handler = (req, res, url) =>
      url.pathname.endsWith('.png') && server.requests.length === 2
        ? res.writeHead(404).end()
        : servePng(req, res, url);
    await assert.rejects(
      createMapProvider(settings(), { cacheDir: freshCache() }).renderMap(request),
      (error: unknown) => {
        assert.ok(isVidataError(error));
        assert.equal(error.code, 'MAP_TILES_FAILED');
        return true;
      },
    );
  });

  it('fails with MAP_TILES_FAILED when a tile is not an image', async () => {
    server.handler = (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end('not a png');
    await assert.rejects(createMapProvider(settings(), { cacheDir: freshCache() }).renderMap(request), {
      code: 'MAP_TILES_FAILED',
    });
  });

  it('fails with MAP_TILES_FAILED when the tile server times out', async () => {
    server.handler = () => undefined;
    const started = Date.now();
    await assert.rejects(
      createMapProvider(settings({ VIDATA_TILES_TIMEOUT_MS: '300' }), { cacheDir: freshCache() }).renderMap(
        request,
      ),
      { code: 'MAP_TILES_FAILED' },
    );
    assert.ok(Date.now() - started < 3000);
  });

  it('honours Retry-After on a 429 tile answer', async () => {
    let limited = false;
    server.handler = (req, res, url) => {
      if (!limited) {
        limited = true;
        return void res.writeHead(429, { 'retry-after': '1' }).end();
      }
      servePng(req, res, url);
    };
    const started = Date.now();
    const png = await createMapProvider(settings({ VIDATA_TILES_TIMEOUT_MS: '4000' }), {
      cacheDir: freshCache(),
    }).renderMap(request);
    assert.ok(png.length > 0);
    assert.ok(Date.now() - started >= 950, 'the tiles waited for Retry-After');
  });

  it('draws the offline map instead when configured, and logs it', async () => {
    server.handler = (_req, res) => res.writeHead(503).end();
    const warnings: string[] = [];
    const provider = createMapProvider(settings({ VIDATA_TILES_ON_ERROR: 'offline' }), {
      cacheDir: freshCache(),
      logger: { warn: (_details, message) => warnings.push(message) },
    });
    const png = await provider.renderMap(request);
    const meta = await sharp(png).metadata();
    assert.equal(meta.width, 640);
    assert.equal(meta.height, 360);
    assert.deepEqual(warnings, ['map tiles failed, offline map drawn instead']);
  });
});
