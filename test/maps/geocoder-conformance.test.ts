/**
 * One suite run against every geocoder: the offline table, and the Nominatim, Photon and addok
 * protocols talking to a fake server on 127.0.0.1 that finds one address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OfflineGeocoder } from '../../src/maps/offline-geocoder.ts';
import { OnlineGeocoder, type GeocoderProtocol } from '../../src/maps/online-geocoder.ts';
import type { Geocoder } from '../../src/maps/types.ts';
import { distanceKm, pointFeature, sendJson, startFakeServer, type FakeServer } from './fake-server.ts';

const KNOWN = '2 place Bellecour, 69002 Lyon';
const BELLECOUR = { lat: 45.7578, lon: 4.832 };

/** Properties each protocol sends for the known address. */
const PROPERTIES: Record<GeocoderProtocol, Record<string, unknown>> = {
  nominatim: { place_rank: 30, address: { road: 'Place Bellecour', city: 'Lyon', country_code: 'fr' } },
  photon: { type: 'house', street: 'Place Bellecour', housenumber: '2', city: 'Lyon', countrycode: 'FR' },
  addok: {
    type: 'housenumber',
    score: 0.95,
    street: 'Place Bellecour',
    name: '2 Place Bellecour',
    city: 'Lyon',
  },
};

let server: FakeServer;
before(async () => {
  server = await startFakeServer((_req, res, url) => {
    const protocol =
      url.pathname === '/api' ? 'photon' : url.searchParams.has('format') ? 'nominatim' : 'addok';
    const features =
      url.searchParams.get('q') === KNOWN
        ? [pointFeature(BELLECOUR.lon, BELLECOUR.lat, PROPERTIES[protocol])]
        : [];
    sendJson(res, { type: 'FeatureCollection', features });
  });
});
after(() => server.close());

const adapters: { name: string; make: () => Geocoder }[] = [
  { name: 'offline', make: () => new OfflineGeocoder() },
  ...(['nominatim', 'photon', 'addok'] as const).map((protocol) => ({
    name: protocol,
    make: () =>
      new OnlineGeocoder({
        protocol,
        url: server.url,
        timeoutMs: 2000,
        minIntervalMs: 0,
        language: 'fr',
        userAgent: 'vidata-test/1',
        cacheDays: 0,
      }),
  })),
];

for (const adapter of adapters) {
  describe(`geocoder conformance: ${adapter.name}`, () => {
    it('places a known address', async () => {
      const result = await adapter.make().geocode(KNOWN);
      assert.ok(result);
      assert.ok(distanceKm(result, BELLECOUR) < 2, `${distanceKm(result, BELLECOUR).toFixed(1)} km away`);
      assert.equal(result.countryCode, 'FR');
      assert.ok(['street', 'postcode', 'city', 'country'].includes(result.precision));
      assert.ok(result.label.length > 0);
    });

    it('returns undefined for an unknown address', async () => {
      assert.equal(await adapter.make().geocode('qqqq zzzz 99999'), undefined);
    });

    it('returns undefined for a blank address', async () => {
      assert.equal(await adapter.make().geocode('   '), undefined);
    });

    it('states whether it needs the network', () => {
      assert.equal(adapter.make().isSynchronous, adapter.name === 'offline');
    });
  });
}
