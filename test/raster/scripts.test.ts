/**
 * Text beyond Latin, drawn through the font chain: what @napi-rs/canvas does with Arabic joining,
 * right-to-left order, combining marks, colour emoji and scripts written without spaces.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VidataError } from '../../src/errors.ts';
import { findUnsupportedCharacter } from '../../src/engine/raster/coverage.ts';
import { loadFonts } from '../../src/engine/raster/fonts.ts';
import { rasterizeText } from '../../src/engine/raster/text.ts';
import type { TextStyle } from '../../src/template/schema.ts';
import {
  alphaDistance,
  decodePixels,
  inkBox,
  inkRuns,
  makeFontTemplate,
  style,
  testFonts,
  type Pixels,
} from './helpers.ts';

const WIDE = { w: 600, h: 100 };

async function draw(text: string, overrides: Partial<TextStyle> = {}, box = WIDE) {
  const raster = await rasterizeText({
    text,
    style: style({ size: 40, maxLines: 1, align: 'left', ...overrides }),
    box,
    fonts: await testFonts(),
  });
  return { raster, pixels: await decodePixels(raster.png) };
}

function inkWidth(pixels: Pixels): number {
  const box = inkBox(pixels);
  assert.ok(box, 'expected ink');
  return box.right - box.left + 1;
}

describe('text beyond Latin', () => {
  it('joins Arabic letters', async () => {
    const joined = await draw('بيت');
    // ZERO WIDTH NON-JOINER between the letters forces their isolated forms.
    const isolated = await draw('ب\u200cي\u200cت');
    assert.ok(
      inkWidth(joined.pixels) < inkWidth(isolated.pixels) * 0.8,
      `joined ${inkWidth(joined.pixels)}px, isolated ${inkWidth(isolated.pixels)}px`,
    );
  });

  it('orders an Arabic line right to left with its digits left to right', async () => {
    // Logical order: the word "year", a space, 2024. Displayed right to left: 2024 on the left.
    const line = await draw('عام 2024');
    const word = await draw('عام');
    const digits = await draw('2024');
    const reversedDigits = await draw('4202');
    const runs = inkRuns(line.pixels, 6);
    assert.equal(runs.length, 2, `ink runs ${JSON.stringify(runs)}`);
    const [left, right] = runs as [[number, number], [number, number]];
    assert.ok(Math.abs(left[1] - left[0] + 1 - inkWidth(digits.pixels)) <= 2, 'the digits are on the left');
    assert.ok(Math.abs(right[1] - right[0] + 1 - inkWidth(word.pixels)) <= 2, 'the word is on the right');
    const forward = alphaDistance(line.pixels, left, digits.pixels);
    const backward = alphaDistance(line.pixels, left, reversedDigits.pixels);
    assert.ok(forward < backward / 2, `2024 read left to right: ${forward} vs reversed ${backward}`);
  });

  it('lays a Hebrew paragraph out right to left', async () => {
    // The first letter is Hebrew, so the paragraph runs right to left and "Ada", logically last,
    // is displayed on the left. A left-to-right paragraph would put it on the right.
    const line = await draw('שלום Ada');
    const latin = await draw('Ada');
    const runs = inkRuns(line.pixels, 6);
    assert.equal(runs.length, 2, `ink runs ${JSON.stringify(runs)}`);
    const left = runs[0]!;
    assert.ok(Math.abs(left[1] - left[0] + 1 - inkWidth(latin.pixels)) <= 2, 'Ada is on the left');
    assert.ok(alphaDistance(line.pixels, left, latin.pixels) < 20);
  });

  it('puts combining marks on their base letter', async () => {
    const precomposed = await draw('\u00e9');
    const combining = await draw('e\u0301');
    const a = inkBox(precomposed.pixels)!;
    const b = inkBox(combining.pixels)!;
    const boxes = JSON.stringify([a, b]);
    assert.ok(Math.abs(a.left - b.left) <= 2, `same left edge: ${boxes}`);
    assert.ok(Math.abs(a.right - b.right) <= 2, `same right edge, the mark adds no width: ${boxes}`);
    assert.ok(Math.abs(a.top - b.top) <= 3, `the accent sits above the letter: ${boxes}`);
  });

  it('draws emoji in colour', async () => {
    const { pixels, raster } = await draw('😀 👩‍💻 🇫🇷', { color: '#ffffff' });
    let yellow = 0;
    for (let y = 0; y < pixels.height; y++) {
      for (let x = 0; x < pixels.width; x++) {
        const [r, g, b, a] = pixels.at(x, y);
        if (a > 200 && r > 200 && g > 120 && b < 100) yellow++;
      }
    }
    assert.ok(yellow > 100, `${yellow} yellow pixels`);
    assert.deepEqual(raster.lines, ['😀 👩‍💻 🇫🇷']);
    // Each sequence is one glyph: three runs of ink, not five or more.
    assert.equal(inkRuns(pixels, 4).length, 3);
  });

  it('wraps Japanese without spaces', async () => {
    const text = '東京都渋谷区神南一丁目の公園で会いましょう';
    const { raster } = await draw(text, { maxLines: 3, size: 32 }, { w: 250, h: 150 });
    assert.ok(raster.lines.length >= 2, JSON.stringify(raster.lines));
    assert.equal(raster.lines.join(''), text);
    assert.ok(!raster.lines.some((line) => line.startsWith('の')), 'particles stay with the word before');
  });

  it('wraps Thai at word boundaries', async () => {
    const text = 'ยินดีต้อนรับสู่กรุงเทพมหานคร';
    const { raster, pixels } = await draw(text, { maxLines: 3, size: 32 }, { w: 200, h: 150 });
    assert.ok(raster.lines.length >= 2, JSON.stringify(raster.lines));
    assert.equal(raster.lines.join(''), text);
    const box = inkBox(pixels)!;
    assert.ok(box.right < 200, `ink ends at x = ${box.right}`);
    assert.ok(box.bottom < 150, `ink ends at y = ${box.bottom}`);
  });

  it('maps case by the style language', async () => {
    const turkish = await draw('istanbul', { transform: 'uppercase', lang: 'tr' });
    const english = await draw('istanbul', { transform: 'uppercase' });
    const german = await draw('straße', { transform: 'uppercase', lang: 'de' });
    const lowerTurkish = await draw('ISPARTA', { transform: 'lowercase', lang: 'tr' });
    assert.deepEqual(turkish.raster.lines, ['İSTANBUL']);
    assert.deepEqual(english.raster.lines, ['ISTANBUL']);
    assert.deepEqual(german.raster.lines, ['STRASSE']);
    assert.deepEqual(lowerTurkish.raster.lines, ['ısparta']);
  });

  it('rejects a character no font covers', async () => {
    const fonts = await testFonts();
    // Tibetan is in neither the template's fonts nor the shipped ones.
    assert.equal(findUnsupportedCharacter('Zoë ཀ', fonts, 'Brand'), 'ཀ');
    assert.equal(findUnsupportedCharacter('Zoë مرحبا 東京 😀 नमस्ते', fonts, 'Brand'), undefined);
    await assert.rejects(
      rasterizeText({
        text: 'Hi ཀ',
        style: style({ size: 40 }),
        box: WIDE,
        fonts,
        field: 'variables.TXT_NAME',
      }),
      (error: unknown) => {
        assert.ok(error instanceof VidataError);
        assert.equal(error.code, 'TEXT_UNSUPPORTED_CHARACTER');
        assert.equal(error.field, 'variables.TXT_NAME');
        assert.match(error.message, /U\+0F40/);
        return true;
      },
    );
  });

  it('tries template fallbacks before shipped fonts', async () => {
    // "Ƕ" (U+01F6) is in Inter and Noto Sans but not in Montserrat.
    const template = await makeFontTemplate({
      name: 'with fallback',
      fonts: [
        { family: 'Brand', file: 'brand-regular.ttf' },
        { family: 'Alt', file: 'alt-regular.ttf' },
      ],
      fontFallbacks: ['Alt'],
    });
    const withFallback = await loadFonts(template);
    const plain = await testFonts();
    const drawWith = (fonts: typeof plain, family: string) =>
      rasterizeText({ text: 'Ƕ', style: style({ size: 60, font: family }), box: WIDE, fonts });
    const viaFallback = await drawWith(withFallback, 'Brand');
    const viaShipped = await drawWith(plain, 'Brand');
    const inter = await drawWith(withFallback, 'Alt');
    assert.deepEqual(viaFallback.png, inter.png, 'drawn with the template fallback (Inter)');
    assert.notDeepEqual(viaShipped.png, inter.png, 'without it, a shipped font draws it');
  });
});
