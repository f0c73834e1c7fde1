import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameFor } from '../../src/maps/offline-map.ts';
import { lonLatOfWorldPixel, worldPixel, zoomForSpan } from '../../src/maps/projection.ts';
import type { GeocodeResult } from '../../src/maps/types.ts';

const lyon: GeocodeResult = { lat: 45.764, lon: 4.8357, precision: 'city', label: 'Lyon', countryCode: 'FR' };

describe('web mercator projection', () => {
  it('round-trips a point through world pixels', () => {
    const pixel = worldPixel(2.3488, 48.85341, 12);
    const back = lonLatOfWorldPixel(pixel.x, pixel.y, 12);
    assert.ok(Math.abs(back.lon - 2.3488) < 1e-9);
    assert.ok(Math.abs(back.lat - 48.85341) < 1e-9);
  });

  it('puts the tile of a known place where XYZ servers do', () => {
    // Paris at zoom 10 is tile 518/352 in the OpenStreetMap tile scheme.
    const pixel = worldPixel(2.3488, 48.85341, 10);
    assert.equal(Math.floor(pixel.x / 256), 518);
    assert.equal(Math.floor(pixel.y / 256), 352);
  });

  it('zooms in one level when the span halves', () => {
    assert.ok(Math.abs(zoomForSpan(10, 500, 45) - zoomForSpan(20, 500, 45) - 1) < 1e-9);
  });
});

describe('map framing', () => {
  it('zooms in from country to city to postcode to street', () => {
    const zoom = (result: GeocodeResult) => frameFor(result, 640, 360).view.zoom;
    const country = zoom({ ...lyon, precision: 'country' });
    const city = zoom(lyon);
    const postcode = zoom({ ...lyon, precision: 'postcode' });
    const street = zoom({ ...lyon, precision: 'street' });
    assert.ok(country < city, `country ${country}, city ${city}`);
    assert.ok(city < postcode, `city ${city}, postcode ${postcode}`);
    assert.ok(postcode < street, `postcode ${postcode}, street ${street}`);
  });

  it('zooms out one level for an approximate point', () => {
    const exact = frameFor(lyon, 640, 360).view.zoom;
    const approximate = frameFor({ ...lyon, approximate: true }, 640, 360).view.zoom;
    assert.ok(Math.abs(exact - approximate - 1) < 1e-9);
  });

  it('centres the place in the image', () => {
    const frame = frameFor(lyon, 640, 360);
    const pixel = worldPixel(lyon.lon, lyon.lat, frame.view.zoom);
    assert.ok(Math.abs(pixel.x - frame.view.left - 320) < 1e-6);
    assert.ok(Math.abs(pixel.y - frame.view.top - 180) < 1e-6);
  });
});
