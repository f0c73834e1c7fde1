import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import sharp from 'sharp';
import { isVidataError } from '../../src/errors.ts';
import { createMapProvider, defaultMapSettings, mapSettingsSchema } from '../../src/maps/index.ts';
import { OfflineGeocoder } from '../../src/maps/offline-geocoder.ts';
import { printable, resolveStyle } from '../../src/maps/style.ts';

const require = createRequire(import.meta.url);

async function pixels(
  png: Buffer,
): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function colorAt(image: { data: Buffer; width: number; channels: number }, x: number, y: number): string {
  const at = (y * image.width + x) * image.channels;
  return `#${[0, 1, 2].map((i) => (image.data[at + i] ?? 0).toString(16).padStart(2, '0')).join('')}`;
}

describe('offline map provider', () => {
  // Every test here runs with the default settings, which must never open a connection.
  const realFetch = globalThis.fetch;
  let fetchCalls = 0;
  beforeEach(() => {
    fetchCalls = 0;
    globalThis.fetch = () => {
      fetchCalls += 1;
      return Promise.reject(new Error('no network in offline mode'));
    };
  });
  afterEach(() => {
    globalThis.fetch = realFetch;
    assert.equal(fetchCalls, 0, 'the offline provider made a network request');
  });

  const provider = createMapProvider(defaultMapSettings());

  it('uses the offline geocoder by default', () => {
    assert.ok(provider.geocoder instanceof OfflineGeocoder);
    assert.equal(provider.geocoder.isSynchronous, true);
  });

  it('draws a PNG of exactly the requested size', async () => {
    for (const [width, height] of [
      [640, 360],
      [333, 517],
      [1, 1],
    ] as const) {
      const png = await provider.renderMap({ address: '69003 Lyon', width, height, style: {} });
      const meta = await sharp(png).metadata();
      assert.equal(meta.format, 'png');
      assert.equal(meta.width, width);
      assert.equal(meta.height, height);
    }
  });

  it('draws different images for two different addresses', async () => {
    const a = await pixels(
      await provider.renderMap({
        address: '21 avenue des Champs-Élysées 75008 Paris',
        width: 480,
        height: 270,
        style: {},
      }),
    );
    const b = await pixels(
      await provider.renderMap({
        address: '2 quai du Port, 13002 Marseille',
        width: 480,
        height: 270,
        style: {},
      }),
    );
    let differing = 0;
    for (let i = 0; i < a.data.length; i += a.channels)
      if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1]) differing += 1;
    const share = differing / (a.width * a.height);
    assert.ok(share > 0.05, `only ${(share * 100).toFixed(1)}% of the pixels differ`);
  });

  it('paints land and water in the style colours', async () => {
    // Brest: the roadstead fills the south-west of the map, the north is land.
    const image = await pixels(
      await provider.renderMap({
        address: '29200 Brest',
        width: 400,
        height: 400,
        style: { land: '#00ff00', water: '#0000ff', pin: '#ff00ff' },
      }),
    );
    assert.equal(colorAt(image, 20, 320), '#0000ff');
    assert.equal(colorAt(image, 200, 90), '#00ff00');
    // The pin's head, above its tip at the centre.
    assert.equal(colorAt(image, 200, 200 - 14), '#ff00ff');
  });

  it('rejects an address it cannot place with ADDRESS_NOT_FOUND', async () => {
    await assert.rejects(
      provider.renderMap({ address: 'zzzz qqqq 99999', width: 320, height: 180, style: {} }),
      (error: unknown) => {
        assert.ok(isVidataError(error));
        assert.equal(error.code, 'ADDRESS_NOT_FOUND');
        assert.match(error.message, /zzzz qqqq 99999/);
        return true;
      },
    );
  });

  it('locates an address without drawing it', async () => {
    const result = await provider.locate('Bordeaux');
    assert.equal(result.label, 'Bordeaux');
    await assert.rejects(provider.locate('qqqq', { field: 'variables.TXT_MAP_IMG_adresse.png' }), {
      code: 'ADDRESS_NOT_FOUND',
      field: 'variables.TXT_MAP_IMG_adresse.png',
    });
  });

  it('rejects a map larger than the limit', async () => {
    await assert.rejects(provider.renderMap({ address: 'Lyon', width: 9000, height: 100, style: {} }), {
      code: 'TEMPLATE_INVALID',
    });
  });

  it('draws a country named alone', async () => {
    const png = await provider.renderMap({ address: 'Italie', width: 320, height: 320, style: {} });
    assert.equal((await sharp(png).metadata()).width, 320);
  });
});

describe('map settings', () => {
  it('defaults to offline geocoding and no tiles', () => {
    const settings = defaultMapSettings();
    assert.equal(settings.VIDATA_GEOCODER, 'offline');
    assert.equal(settings.VIDATA_GEOCODER_URL, undefined);
    assert.equal(settings.VIDATA_TILES_URL, undefined);
  });

  it('requires a URL for an online geocoder', () => {
    const settings = mapSettingsSchema.parse({ VIDATA_GEOCODER: 'nominatim' });
    assert.throws(() => createMapProvider(settings), {
      code: 'VALIDATION_FAILED',
      field: 'VIDATA_GEOCODER_URL',
    });
  });

  it('requires an attribution with a tile server', () => {
    const settings = mapSettingsSchema.parse({ VIDATA_TILES_URL: 'http://tiles.invalid/{z}/{x}/{y}.png' });
    assert.throws(() => createMapProvider(settings), {
      code: 'VALIDATION_FAILED',
      field: 'VIDATA_TILES_ATTRIBUTION',
    });
  });

  it('rejects a tile URL without its placeholders', () => {
    assert.equal(
      mapSettingsSchema.safeParse({ VIDATA_TILES_URL: 'http://tiles.invalid/tile.png' }).success,
      false,
    );
  });

  it('reads numbers from environment strings', () => {
    const settings = mapSettingsSchema.parse({
      VIDATA_GEOCODER_TIMEOUT_MS: '1200',
      VIDATA_TILES_MAX_ZOOM: '17',
    });
    assert.equal(settings.VIDATA_GEOCODER_TIMEOUT_MS, 1200);
    assert.equal(settings.VIDATA_TILES_MAX_ZOOM, 17);
  });
});

describe('map labels', () => {
  it('leaves out characters the font cannot draw', () => {
    const style = resolveStyle({});
    assert.equal(printable('Genève', style), 'Genève');
    // Noto Sans (the Latin, Greek and Cyrillic font) has no CJK ideographs.
    assert.equal(printable('Tokyo 東京', style), 'Tokyo');
  });
});

describe('map fonts', () => {
  it('draws labels with a template font given to withFonts', async () => {
    const provider = createMapProvider(defaultMapSettings());
    const file = path.join(
      path.dirname(require.resolve('@expo-google-fonts/montserrat/package.json')),
      '800ExtraBold',
      'Montserrat_800ExtraBold.ttf',
    );
    const request = { address: 'Lyon', width: 320, height: 200, style: { font: 'Brand Display' } };
    const plain = await pixels(await provider.renderMap(request));
    const branded = await pixels(
      await provider.withFonts([{ family: 'Brand Display', file, weight: 800 }]).renderMap(request),
    );
    assert.notDeepEqual(branded.data, plain.data);
  });
});
