import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddress } from '../../src/maps/address.ts';
import { nameKey, normalizeText } from '../../src/maps/text.ts';

const words = (address: string) => parseAddress(address).words.map((w) => w.text);

describe('address parsing', () => {
  it('drops bis and ter after a house number', () => {
    assert.deepEqual(words('12 bis rue Haute'), ['12', 'rue', 'haute']);
    assert.deepEqual(words('12ter rue Haute'), ['12', 'rue', 'haute']);
  });

  it('drops CEDEX and its office number, and notes it', () => {
    const parsed = parseAddress('33 rue Servient 69446 Lyon Cedex 03');
    assert.equal(parsed.cedex, true);
    assert.deepEqual(
      parsed.words.map((w) => w.text),
      ['33', 'rue', 'servient', '69446', 'lyon'],
    );
  });

  it('drops postal box numbers', () => {
    assert.deepEqual(words('BP 45, 13002 Marseille'), ['13002', 'marseille']);
    assert.deepEqual(words('B.P. 45 - 13002 Marseille'), ['13002', 'marseille']);
    assert.deepEqual(words('CS 70001 31000 Toulouse'), ['31000', 'toulouse']);
  });

  it('reads a four-digit postcode as one missing its leading zero', () => {
    const parsed = parseAddress('3 rue X 1000 Bourg-en-Bresse');
    assert.deepEqual(
      parsed.postcodes.map((p) => [p.code, p.written]),
      [['01000', '1000']],
    );
  });

  it('does not read a four-digit house number as a postcode', () => {
    assert.deepEqual(
      parseAddress('1200 route des Crêtes, 06560 Valbonne').postcodes.map((p) => p.code),
      ['06560'],
    );
  });

  it('keeps Corsican department codes', () => {
    assert.deepEqual(parseAddress('Corte (2B)').departments, ['2B']);
    assert.deepEqual(parseAddress('Ajaccio 2A').departments, ['2A']);
  });

  it('splits a postcode glued to the city', () => {
    assert.deepEqual(words('75008PARIS'), ['75008', 'paris']);
  });

  it('records the comma-separated part of each word', () => {
    assert.deepEqual(
      parseAddress('1 rue A, Lyon').words.map((w) => w.segment),
      [0, 0, 0, 1],
    );
  });
});

describe('name normalization', () => {
  it('ignores case, accents, hyphens and apostrophes', () => {
    assert.equal(normalizeText("L'Haÿ-les-Roses"), 'l hay les roses');
    assert.equal(nameKey('SAINT-ÉTIENNE'), nameKey('st etienne'));
    assert.equal(nameKey('Sainte-Foy-lès-Lyon'), nameKey('ste foy les lyon'));
    assert.equal(nameKey('Bœrsch'), 'boersch');
  });
});
