import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OfflineGeocoder } from '../../src/maps/offline-geocoder.ts';
import type { GeocodePrecision } from '../../src/maps/types.ts';
import { distanceKm } from './fake-server.ts';

const geocoder = new OfflineGeocoder();

interface Case {
  address: string;
  /** Reference point: the town hall or centre of the place, from public maps. */
  lat: number;
  lon: number;
  /** Largest accepted distance from the reference point. */
  km: number;
  country: string;
  precision?: GeocodePrecision;
  label?: string;
}

// The offline table places a commune at its GeoNames centre, so 3 km is the usual tolerance;
// large communes and arrondissements get a little more.
const CASES: Case[] = [
  {
    address: '21 avenue des Champs-Élysées 75008 Paris',
    lat: 48.8718,
    lon: 2.3075,
    km: 2,
    country: 'FR',
    precision: 'postcode',
    label: 'Paris 8e',
  },
  {
    address: '12 bis rue de la République 69002 Lyon',
    lat: 45.7485,
    lon: 4.827,
    km: 2,
    country: 'FR',
    precision: 'postcode',
    label: 'Lyon 2e',
  },
  {
    address: '8 ter boulevard Longchamp 13001 Marseille',
    lat: 43.2999,
    lon: 5.3841,
    km: 2,
    country: 'FR',
    precision: 'postcode',
    label: 'Marseille 1er',
  },
  {
    address: '75116 PARIS',
    lat: 48.8637,
    lon: 2.2769,
    km: 2.5,
    country: 'FR',
    precision: 'postcode',
    label: 'Paris 16e',
  },
  { address: 'Paris 15e', lat: 48.8421, lon: 2.2996, km: 2, country: 'FR', label: 'Paris 15e' },
  { address: '13013 Marseille', lat: 43.3186, lon: 5.4084, km: 4, country: 'FR', label: 'Marseille 13e' },
  { address: 'Lyon 7ème', lat: 45.745, lon: 4.842, km: 2, country: 'FR', label: 'Lyon 7e' },
  {
    address: 'Société Durand, 33 rue Servient, 69446 LYON CEDEX 03',
    lat: 45.764,
    lon: 4.8357,
    km: 4,
    country: 'FR',
    precision: 'city',
    label: 'Lyon',
  },
  { address: 'BP 1234, 31000 Toulouse', lat: 43.6047, lon: 1.4442, km: 3, country: 'FR', label: 'Toulouse' },
  {
    address: 'CS 50001, 67000 Strasbourg Cedex',
    lat: 48.5734,
    lon: 7.7521,
    km: 3,
    country: 'FR',
    label: 'Strasbourg',
  },
  { address: 'B.P. 12 - 44000 Nantes', lat: 47.2184, lon: -1.5536, km: 3, country: 'FR', label: 'Nantes' },
  {
    address: '3 rue Bourgmayer 1000 Bourg-en-Bresse',
    lat: 46.2052,
    lon: 5.2255,
    km: 3,
    country: 'FR',
    label: 'Bourg-en-Bresse',
  },
  {
    address: '2 place de la Mairie, 01000 BOURG EN BRESSE',
    lat: 46.2052,
    lon: 5.2255,
    km: 3,
    country: 'FR',
    label: 'Bourg-en-Bresse',
  },
  {
    address: 'Cours Napoléon, 20000 Ajaccio',
    lat: 41.9192,
    lon: 8.7386,
    km: 3,
    country: 'FR',
    label: 'Ajaccio',
  },
  {
    address: 'Rue César Campinchi, 20200 Bastia',
    lat: 42.6973,
    lon: 9.4509,
    km: 3,
    country: 'FR',
    label: 'Bastia',
  },
  { address: 'Corte (2B)', lat: 42.3063, lon: 9.1497, km: 5, country: 'FR', label: 'Corte' },
  { address: '97400 Saint-Denis', lat: -20.8823, lon: 55.4504, km: 5, country: 'FR', label: 'Saint-Denis' },
  { address: 'Saint-Denis 93200', lat: 48.9362, lon: 2.3574, km: 3, country: 'FR', label: 'Saint-Denis' },
  {
    address: '97200 Fort-de-France',
    lat: 14.6161,
    lon: -61.0588,
    km: 5,
    country: 'FR',
    label: 'Fort-de-France',
  },
  {
    address: 'Pointe-à-Pitre, Guadeloupe',
    lat: 16.2411,
    lon: -61.5331,
    km: 5,
    country: 'FR',
    label: 'Pointe-à-Pitre',
  },
  { address: '97300 Cayenne', lat: 4.9224, lon: -52.3135, km: 5, country: 'FR', label: 'Cayenne' },
  { address: 'Mamoudzou, Mayotte', lat: -12.7806, lon: 45.2279, km: 5, country: 'FR', label: 'Mamoudzou' },
  {
    address: 'SAINT ETIENNE',
    lat: 45.4397,
    lon: 4.3872,
    km: 3,
    country: 'FR',
    precision: 'city',
    label: 'Saint-Étienne',
  },
  {
    address: '4 pl. Jean Jaurès, st-étienne 42000',
    lat: 45.4397,
    lon: 4.3872,
    km: 3,
    country: 'FR',
    label: 'Saint-Étienne',
  },
  {
    address: "12 rue des Lilas, L'Haÿ-les-Roses",
    lat: 48.7797,
    lon: 2.3374,
    km: 3,
    country: 'FR',
    label: "L'Haÿ-les-Roses",
  },
  { address: 'LHAY LES ROSES', lat: 48.7797, lon: 2.3374, km: 3, country: 'FR', label: "L'Haÿ-les-Roses" },
  {
    address: 'villeneuve d ascq',
    lat: 50.6233,
    lon: 3.145,
    km: 4,
    country: 'FR',
    label: "Villeneuve-d'Ascq",
  },
  { address: 'Roissy-en-France', lat: 49.0044, lon: 2.517, km: 3, country: 'FR', label: 'Roissy-en-France' },
  { address: 'marseille', lat: 43.2965, lon: 5.3698, km: 3, country: 'FR', label: 'Marseille' },
  { address: 'NICE', lat: 43.7102, lon: 7.262, km: 3, country: 'FR', label: 'Nice' },
  {
    address: '5 rue de Paris, 35000 Rennes',
    lat: 48.1173,
    lon: -1.6778,
    km: 3,
    country: 'FR',
    label: 'Rennes',
  },
  { address: 'Avenue de Lyon, Grenoble', lat: 45.1885, lon: 5.7245, km: 3, country: 'FR', label: 'Grenoble' },
  { address: '26000 Valence', lat: 44.9334, lon: 4.8924, km: 3, country: 'FR', label: 'Valence' },
  {
    address: '10 Downing Street, London SW1A 2AA, United Kingdom',
    lat: 51.5074,
    lon: -0.1278,
    km: 5,
    country: 'GB',
    precision: 'city',
  },
  { address: 'Rue de la Loi 16, 1000 Bruxelles, Belgique', lat: 50.8503, lon: 4.3517, km: 5, country: 'BE' },
  { address: '1000 Bruxelles', lat: 50.8503, lon: 4.3517, km: 5, country: 'BE' },
  { address: 'Rue du Rhône 1, 1204 Genève, Suisse', lat: 46.2044, lon: 6.1432, km: 4, country: 'CH' },
  { address: 'Marienplatz 1, 80331 München, Deutschland', lat: 48.1351, lon: 11.582, km: 5, country: 'DE' },
  { address: 'Plaça de Catalunya, Barcelona, Espagne', lat: 41.3874, lon: 2.1686, km: 5, country: 'ES' },
  { address: 'Via del Corso, Roma, Italia', lat: 41.9028, lon: 12.4964, km: 5, country: 'IT' },
  { address: 'Valence, Espagne', lat: 39.4699, lon: -0.3763, km: 5, country: 'ES' },
  { address: 'Montréal, Canada', lat: 45.5017, lon: -73.5673, km: 5, country: 'CA' },
  { address: '350 Fifth Avenue, New York, NY 10118, USA', lat: 40.7128, lon: -74.006, km: 10, country: 'US' },
  { address: 'Londres', lat: 51.5074, lon: -0.1278, km: 5, country: 'GB' },
];

describe('offline geocoder', () => {
  it('has at least 30 reference addresses', () => {
    assert.ok(CASES.length >= 30);
  });

  for (const c of CASES) {
    it(`places "${c.address}"`, async () => {
      const result = await geocoder.geocode(c.address);
      assert.ok(result, 'no result');
      const km = distanceKm(result, c);
      assert.ok(
        km <= c.km,
        `${km.toFixed(1)} km from the reference point (${result.label} ${result.lat},${result.lon})`,
      );
      assert.equal(result.countryCode, c.country);
      if (c.precision) assert.equal(result.precision, c.precision);
      if (c.label) assert.equal(result.label, c.label);
    });
  }

  it('answers a country name alone with the country', async () => {
    const result = await geocoder.geocode('Belgique');
    assert.equal(result?.precision, 'country');
    assert.equal(result?.countryCode, 'BE');
    assert.ok(distanceKm(result, { lat: 50.64, lon: 4.67 }) < 60);
  });

  it('falls back to the country for an unknown city abroad', async () => {
    const result = await geocoder.geocode('12 Hauptstrasse, Kleinstkaffhausen, Deutschland');
    assert.equal(result?.precision, 'country');
    assert.equal(result?.countryCode, 'DE');
  });

  it('labels a place abroad with the name the address uses', async () => {
    assert.equal((await geocoder.geocode('Marienplatz 1, München'))?.label, 'München');
    assert.equal((await geocoder.geocode('Bruxelles'))?.label, 'Bruxelles');
  });

  it('places the island communes of Saint-Martin and Saint-Barthélemy', async () => {
    const martin = await geocoder.geocode('Rue de la République, 97150 Saint-Martin');
    assert.ok(martin);
    assert.ok(distanceKm(martin, { lat: 18.0677, lon: -63.0826 }) < 5);
    const barthelemy = await geocoder.geocode('Gustavia, 97133 Saint-Barthélemy');
    assert.ok(barthelemy);
    assert.ok(distanceKm(barthelemy, { lat: 17.8962, lon: -62.8498 }) < 5);
  });

  it('answers an overseas territory named alone with the territory', async () => {
    const result = await geocoder.geocode('Mayotte');
    assert.equal(result?.precision, 'country');
    assert.equal(result?.countryCode, 'YT');
  });

  it('does not guess a place for an unknown commune in France', async () => {
    assert.equal(await geocoder.geocode('12 rue X, Bidulevillette, France'), undefined);
  });

  it('prefers the French commune when no country is named', async () => {
    const result = await geocoder.geocode('Valence');
    assert.equal(result?.countryCode, 'FR');
  });

  it('marks a commune placed from its neighbours as approximate', async () => {
    // Brénod (01) has fewer than 500 inhabitants, so GeoNames cities500 has no point for it.
    const result = await geocoder.geocode('01110 Brénod');
    assert.equal(result?.label, 'Brénod');
    assert.equal(result?.approximate, true);
    assert.ok(distanceKm(result, { lat: 46.0728, lon: 5.5569 }) < 20);
  });

  for (const address of [
    '',
    '   ',
    'zzzz qqqq',
    '99999 Nowhere',
    '12 rue Imaginaire',
    'rue de la Paix',
    '42',
  ]) {
    it(`returns nothing for "${address}"`, async () => {
      assert.equal(await geocoder.geocode(address), undefined);
    });
  }

  it('is synchronous', () => {
    assert.equal(geocoder.isSynchronous, true);
  });
});
