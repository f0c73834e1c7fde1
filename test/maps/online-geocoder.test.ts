import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { isVidataError } from '../../src/errors.ts';
import { OnlineGeocoder, type OnlineGeocoderOptions } from '../../src/maps/online-geocoder.ts';
import { pointFeature, sendJson, startFakeServer, type FakeServer } from './fake-server.ts';

let server: FakeServer;
let cacheRoot: string;

before(async () => {
  server = await startFakeServer();
  cacheRoot = await mkdtemp(path.join(tmpdir(), 'vidata-geocoder-'));
});
after(async () => {
  await server.close();
  await rm(cacheRoot, { recursive: true, force: true });
});
beforeEach(() => {
  server.requests.length = 0;
});

function geocoder(options: Partial<OnlineGeocoderOptions> = {}): OnlineGeocoder {
  return new OnlineGeocoder({
    protocol: 'nominatim',
    url: server.url,
    timeoutMs: 2000,
    minIntervalMs: 0,
    language: 'fr',
    userAgent: 'vidata-test/1',
    cacheDays: 30,
    ...options,
  });
}

const collection = (...features: unknown[]) => ({ type: 'FeatureCollection', features });

async function rejectsWith(promise: Promise<unknown>, code: string, kind?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isVidataError(error), `not a VidataError: ${String(error)}`);
    assert.equal(error.code, code);
    if (kind) assert.equal((error.details as { kind: string }).kind, kind);
    return true;
  });
}

describe('online geocoder, Nominatim protocol', () => {
  it('reads a house result as street precision', async () => {
    server.handler = (_req, res) =>
      sendJson(
        res,
        collection(
          pointFeature(2.3069, 48.8713, {
            place_rank: 30,
            name: '',
            display_name: '21, Avenue des Champs-Élysées, Paris, France',
            address: { road: 'Avenue des Champs-Élysées', city: 'Paris', country_code: 'fr' },
          }),
        ),
      );
    const result = await geocoder().geocode('21 avenue des Champs-Élysées 75008 Paris');
    assert.deepEqual(result, {
      lat: 48.8713,
      lon: 2.3069,
      precision: 'street',
      label: 'Avenue des Champs-Élysées',
      countryCode: 'FR',
    });
    const request = server.requests[0];
    assert.equal(request?.url.pathname, '/search');
    assert.equal(request?.url.searchParams.get('q'), '21 avenue des Champs-Élysées 75008 Paris');
    assert.equal(request?.url.searchParams.get('format'), 'geojson');
    assert.equal(request?.headers['user-agent'], 'vidata-test/1');
    assert.equal(request?.headers['accept-language'], 'fr');
  });

  it('reads place ranks as precisions', async () => {
    for (const [rank, precision] of [
      [16, 'city'],
      [22, 'postcode'],
      [4, 'country'],
      [27, 'street'],
    ] as const) {
      server.handler = (_req, res) =>
        sendJson(res, collection(pointFeature(1, 2, { place_rank: rank, name: 'X', address: {} })));
      const result = await geocoder().geocode(`place of rank ${rank}`);
      assert.equal(result?.precision, precision, `rank ${rank}`);
    }
  });

  it('returns undefined when nothing is found', async () => {
    server.handler = (_req, res) => sendJson(res, collection());
    assert.equal(await geocoder().geocode('nowhere at all'), undefined);
  });
});

describe('online geocoder, Photon protocol', () => {
  it('reads type and countrycode', async () => {
    server.handler = (_req, res) =>
      sendJson(
        res,
        collection(
          pointFeature(4.8357, 45.764, { type: 'city', name: 'Lyon', countrycode: 'FR', osm_key: 'place' }),
        ),
      );
    const result = await geocoder({ protocol: 'photon' }).geocode('Lyon');
    assert.deepEqual(result, {
      lat: 45.764,
      lon: 4.8357,
      precision: 'city',
      label: 'Lyon',
      countryCode: 'FR',
    });
    assert.equal(server.requests[0]?.url.pathname, '/api');
    assert.equal(server.requests[0]?.url.searchParams.get('lang'), 'fr');
  });

  it('reads a house as street precision labelled by its street', async () => {
    server.handler = (_req, res) =>
      sendJson(
        res,
        collection(
          pointFeature(13.4, 52.5, {
            type: 'house',
            street: 'Unter den Linden',
            housenumber: '1',
            countrycode: 'DE',
          }),
        ),
      );
    const result = await geocoder({ protocol: 'photon' }).geocode('Unter den Linden 1, Berlin');
    assert.equal(result?.precision, 'street');
    assert.equal(result?.label, 'Unter den Linden');
    assert.equal(result?.countryCode, 'DE');
  });
});

describe('online geocoder, addok protocol', () => {
  it('reads a house number result', async () => {
    server.handler = (_req, res) =>
      sendJson(
        res,
        collection(
          pointFeature(2.3522, 48.8566, {
            type: 'housenumber',
            score: 0.93,
            name: '8 Rue de Rivoli',
            street: 'Rue de Rivoli',
            city: 'Paris',
            postcode: '75004',
          }),
        ),
      );
    const result = await geocoder({ protocol: 'addok' }).geocode('8 rue de Rivoli Paris');
    assert.deepEqual(result, {
      lat: 48.8566,
      lon: 2.3522,
      precision: 'street',
      label: 'Rue de Rivoli',
      countryCode: 'FR',
    });
    assert.equal(server.requests[0]?.url.pathname, '/search/');
  });

  it('treats a low score as not found', async () => {
    server.handler = (_req, res) =>
      sendJson(res, collection(pointFeature(2, 48, { type: 'municipality', score: 0.21, name: 'Guess' })));
    assert.equal(await geocoder({ protocol: 'addok' }).geocode('qwerty uiop'), undefined);
  });
});

describe('online geocoder failures', () => {
  it('fails with GEOCODER_FAILED on a server error after retrying', async () => {
    server.handler = (_req, res) => res.writeHead(503).end('down');
    await rejectsWith(geocoder().geocode('Paris'), 'GEOCODER_FAILED', 'status');
    assert.equal(server.requests.length, 3);
  });

  it('does not retry a client error', async () => {
    server.handler = (_req, res) => res.writeHead(400).end('bad');
    await rejectsWith(geocoder().geocode('Paris'), 'GEOCODER_FAILED', 'status');
    assert.equal(server.requests.length, 1);
  });

  it('fails with GEOCODER_FAILED on an answer that is not JSON', async () => {
    server.handler = (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    await rejectsWith(geocoder().geocode('Paris'), 'GEOCODER_FAILED');
  });

  it('fails with GEOCODER_FAILED on JSON that is not GeoJSON', async () => {
    server.handler = (_req, res) => sendJson(res, [{ lat: '48.8', lon: '2.3' }]);
    await rejectsWith(geocoder().geocode('Paris'), 'GEOCODER_FAILED');
  });

  it('times out when the server does not answer', async () => {
    server.handler = () => undefined;
    const started = Date.now();
    await rejectsWith(geocoder({ timeoutMs: 300 }).geocode('Paris'), 'GEOCODER_FAILED', 'timeout');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 250, `took ${elapsed} ms`);
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  });

  it('waits for Retry-After after a 429, then succeeds', async () => {
    let calls = 0;
    server.handler = (_req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(429, { 'retry-after': '1' }).end();
      else
        sendJson(
          res,
          collection(
            pointFeature(5.37, 43.29, { place_rank: 16, name: 'Marseille', address: { country_code: 'fr' } }),
          ),
        );
    };
    const result = await geocoder({ timeoutMs: 4000 }).geocode('Marseille');
    assert.equal(result?.label, 'Marseille');
    const [first, second] = server.requests;
    assert.ok(first);
    assert.ok(second);
    assert.ok(second.at - first.at >= 950, `retried after ${second.at - first.at} ms`);
  });

  it('fails at once when Retry-After is longer than the time budget', async () => {
    server.handler = (_req, res) => res.writeHead(429, { 'retry-after': '120' }).end();
    const started = Date.now();
    await rejectsWith(geocoder({ timeoutMs: 2000 }).geocode('Paris'), 'GEOCODER_FAILED', 'rate-limited');
    assert.ok(Date.now() - started < 1000);
    assert.equal(server.requests.length, 1);
  });

  it('rejects with the caller abort reason', async () => {
    server.handler = () => undefined;
    const controller = new AbortController();
    const pending = geocoder().geocode('Paris', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by test')), 50);
    await assert.rejects(pending, /cancelled by test/);
  });

  it('fails with GEOCODER_FAILED when nothing listens', async () => {
    const closed = await startFakeServer();
    const url = closed.url;
    await closed.close();
    await rejectsWith(geocoder({ url }).geocode('Paris'), 'GEOCODER_FAILED', 'network');
  });
});

describe('online geocoder pacing and cache', () => {
  it('spaces requests by the minimum interval', async () => {
    server.handler = (_req, res) => sendJson(res, collection());
    const paced = geocoder({ minIntervalMs: 300 });
    await Promise.all(['a place', 'b place', 'c place'].map((a) => paced.geocode(a)));
    const times = server.requests.map((r) => r.at);
    assert.equal(times.length, 3);
    for (let i = 1; i < times.length; i++)
      assert.ok((times[i] ?? 0) - (times[i - 1] ?? 0) >= 280, `gap ${i}`);
  });

  it('answers a repeated address from memory', async () => {
    server.handler = (_req, res) =>
      sendJson(res, collection(pointFeature(1, 2, { place_rank: 16, name: 'Y', address: {} })));
    const cached = geocoder();
    await cached.geocode('Same Address');
    await cached.geocode('Same   Address');
    assert.equal(server.requests.length, 1);
  });

  it('keeps answers, not-found ones included, on disk across instances', async () => {
    const cacheFolder = path.join(cacheRoot, 'disk');
    server.handler = (_req, res) =>
      sendJson(
        res,
        collection(
          pointFeature(7.26, 43.71, { place_rank: 16, name: 'Nice', address: { country_code: 'fr' } }),
        ),
      );
    await geocoder({ cacheFolder }).geocode('Nice');
    server.handler = (_req, res) => sendJson(res, collection());
    await geocoder({ cacheFolder }).geocode('Nowhere');
    server.handler = (_req, res) => res.writeHead(500).end();
    const again = geocoder({ cacheFolder });
    assert.equal((await again.geocode('Nice'))?.label, 'Nice');
    assert.equal(await again.geocode('Nowhere'), undefined);
    assert.equal(server.requests.length, 2);
  });

  it('is not synchronous', () => {
    assert.equal(geocoder().isSynchronous, false);
  });
});
