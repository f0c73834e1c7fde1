import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Coverage, FontFormatError, readCoverage } from '../../src/engine/raster/cmap.ts';
import { describeCharacter, findUnsupportedCharacter } from '../../src/engine/raster/coverage.ts';
import { packageFont, testFonts } from './helpers.ts';

const require = createRequire(import.meta.url);

/** Wraps one cmap subtable in a minimal sfnt file: a table directory with only a `cmap` table. */
function sfntWithCmap(subtable: Buffer, platform = 3, encoding = 1): Buffer {
  const cmap = Buffer.alloc(12 + subtable.length);
  cmap.writeUInt16BE(0, 0);
  cmap.writeUInt16BE(1, 2);
  cmap.writeUInt16BE(platform, 4);
  cmap.writeUInt16BE(encoding, 6);
  cmap.writeUInt32BE(12, 8);
  subtable.copy(cmap, 12);
  const header = Buffer.alloc(12 + 16);
  header.writeUInt32BE(0x00010000, 0);
  header.writeUInt16BE(1, 4);
  header.write('cmap', 12, 'latin1');
  header.writeUInt32BE(header.length, 20);
  header.writeUInt32BE(cmap.length, 24);
  return Buffer.concat([header, cmap]);
}

/**
 * Format 4 with two segments: A-C through glyphIdArray [5, 0, 7], so B maps to .notdef, and
 * a-b by delta (glyphs 20 and 21), then the required 0xFFFF end segment.
 */
function format4(): Buffer {
  const segments = [
    { start: 0x41, end: 0x43, delta: 0, rangeOffset: -1 },
    { start: 0x61, end: 0x62, delta: 20 - 0x61, rangeOffset: 0 },
    { start: 0xffff, end: 0xffff, delta: 1, rangeOffset: 0 },
  ];
  const count = segments.length;
  const glyphIds = [5, 0, 7];
  const buffer = Buffer.alloc(16 + count * 8 + glyphIds.length * 2);
  buffer.writeUInt16BE(4, 0);
  buffer.writeUInt16BE(buffer.length, 2);
  buffer.writeUInt16BE(count * 2, 6);
  const ends = 14;
  const starts = ends + count * 2 + 2;
  const deltas = starts + count * 2;
  const rangeOffsets = deltas + count * 2;
  const glyphArray = rangeOffsets + count * 2;
  segments.forEach((segment, i) => {
    buffer.writeUInt16BE(segment.end, ends + i * 2);
    buffer.writeUInt16BE(segment.start, starts + i * 2);
    buffer.writeInt16BE(segment.delta, deltas + i * 2);
    // The first segment points from its own idRangeOffset entry to the start of glyphIdArray.
    const offset = segment.rangeOffset === -1 ? glyphArray - (rangeOffsets + i * 2) : 0;
    buffer.writeUInt16BE(offset, rangeOffsets + i * 2);
  });
  glyphIds.forEach((id, i) => buffer.writeUInt16BE(id, glyphArray + i * 2));
  return buffer;
}

/** Format 12 with a group starting at glyph 0 (its first code point is missing) and an emoji group. */
function format12(): Buffer {
  const groups = [
    [0x20, 0x22, 0],
    [0x1f600, 0x1f602, 10],
  ] as const;
  const buffer = Buffer.alloc(16 + groups.length * 12);
  buffer.writeUInt16BE(12, 0);
  buffer.writeUInt32BE(buffer.length, 4);
  buffer.writeUInt32BE(groups.length, 12);
  groups.forEach(([start, end, glyph], i) => {
    buffer.writeUInt32BE(start, 16 + i * 12);
    buffer.writeUInt32BE(end, 20 + i * 12);
    buffer.writeUInt32BE(glyph, 24 + i * 12);
  });
  return buffer;
}

describe('readCoverage', () => {
  it('reads format 4 glyph arrays and deltas', () => {
    const coverage = readCoverage(sfntWithCmap(format4()));
    assert.equal(coverage.has(0x41), true);
    assert.equal(coverage.has(0x42), false, 'B maps to .notdef');
    assert.equal(coverage.has(0x43), true);
    assert.equal(coverage.has(0x61), true);
    assert.equal(coverage.has(0x62), true);
    assert.equal(coverage.has(0x63), false);
    assert.equal(coverage.has(0xffff), false);
    assert.equal(coverage.size, 4);
  });

  it('reads format 12 groups beyond the BMP', () => {
    const coverage = readCoverage(sfntWithCmap(format12(), 3, 10));
    assert.equal(coverage.has(0x20), false, 'glyph 0 is .notdef');
    assert.equal(coverage.has(0x21), true);
    assert.equal(coverage.has(0x1f601), true);
    assert.equal(coverage.has(0x1f603), false);
  });

  it('reads shipped TTF and WOFF files', async () => {
    const montserrat = readCoverage(
      await readFile(packageFont('@expo-google-fonts/montserrat', '400Regular/Montserrat_400Regular.ttf')),
    );
    assert.equal(montserrat.has('Ł'.codePointAt(0)!), true);
    assert.equal(montserrat.has('ب'.codePointAt(0)!), false);
    const emojiDir = path.dirname(require.resolve('@fontsource/noto-color-emoji'));
    const emoji = readCoverage(
      await readFile(path.join(emojiDir, 'files/noto-color-emoji-emoji-400-normal.woff')),
    );
    assert.equal(emoji.has('😀'.codePointAt(0)!), true);
    assert.equal(emoji.has('A'.codePointAt(0)!), false);
  });

  it('reads WOFF2 like the same font in WOFF', async () => {
    const emojiDir = path.dirname(require.resolve('@fontsource/noto-color-emoji'));
    for (const subset of ['emoji', '3', '9']) {
      const file = path.join(emojiDir, `files/noto-color-emoji-${subset}-400-normal`);
      const woff = readCoverage(await readFile(`${file}.woff`));
      const woff2 = readCoverage(await readFile(`${file}.woff2`));
      assert.ok(woff.size > 0);
      assert.equal(woff2.size, woff.size, subset);
      for (let codePoint = 0x2000; codePoint < 0x1fb00; codePoint++) {
        if (woff.has(codePoint) !== woff2.has(codePoint)) assert.fail(`U+${codePoint.toString(16)} differs`);
      }
    }
  });

  it('rejects bytes that are not a font', () => {
    assert.throws(() => readCoverage(Buffer.from('not a font at all')), FontFormatError);
    assert.throws(() => readCoverage(Buffer.from('wOF2' + '\0'.repeat(40), 'latin1')), /WOFF2 header/);
    const noCmap = sfntWithCmap(format4());
    noCmap.write('xxxx', 12, 'latin1');
    assert.throws(() => readCoverage(noCmap), /no cmap table/);
  });

  it('merges overlapping ranges', () => {
    const coverage = new Coverage([
      [10, 20],
      [15, 30],
      [31, 31],
      [40, 40],
    ]);
    assert.equal(coverage.size, 23);
    assert.equal(coverage.has(31), true);
    assert.equal(coverage.has(35), false);
  });
});

describe('findUnsupportedCharacter', () => {
  it('skips joiners, variation selectors and spaces', async () => {
    const fonts = await testFonts();
    assert.equal(findUnsupportedCharacter('👩\u200d💻 ❤\ufe0f\n\t\u200b', fonts, 'Brand'), undefined);
  });

  it('returns the first uncovered character', async () => {
    const fonts = await testFonts();
    assert.equal(findUnsupportedCharacter('ok ሰላም ཀ', fonts, 'Brand'), 'ሰ');
    assert.equal(findUnsupportedCharacter('ok ሰላም ཀ', fonts), 'ሰ', 'without a family, every font counts');
    assert.equal(describeCharacter('ሰ'), '"ሰ" (U+1230)');
    assert.equal(describeCharacter('😀'), '"😀" (U+1F600)');
  });
});
