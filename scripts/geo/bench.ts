/**
 * Times the offline geocoder and the offline map: `node --import tsx scripts/geo/bench.ts`.
 * Prints the table load time, the mean geocoding time and the mean map time at three sizes.
 */
import { createMapProvider, defaultMapSettings } from '../../src/maps/index.ts';

const ADDRESSES = [
  '21 avenue des Champs-Élysées 75008 Paris',
  '13013 Marseille',
  'Genève, Suisse',
  '29200 Brest',
  'France',
  '97400 Saint-Denis',
];
const GEOCODE_ROUNDS = 1000;

async function main(): Promise<void> {
  let started = performance.now();
  const maps = createMapProvider(defaultMapSettings());
  await maps.locate('Lyon');
  console.log(`first geocoding, tables loaded: ${(performance.now() - started).toFixed(0)} ms`);

  started = performance.now();
  for (let i = 0; i < GEOCODE_ROUNDS; i++) await maps.locate(ADDRESSES[i % ADDRESSES.length] ?? '');
  console.log(`geocoding: ${((performance.now() - started) / GEOCODE_ROUNDS).toFixed(3)} ms each`);

  // One small map first, so that the outlines are loaded before the timed maps.
  await maps.renderMap({ address: 'Lyon', width: 64, height: 64, style: {} });
  for (const [width, height] of [
    [640, 360],
    [1280, 720],
    [1920, 1080],
  ] as const) {
    started = performance.now();
    for (const address of ADDRESSES) await maps.renderMap({ address, width, height, style: {} });
    console.log(
      `${width}x${height} map: ${((performance.now() - started) / ADDRESSES.length).toFixed(0)} ms each`,
    );
  }
}

await main();
