/**
 * checkText must raise exactly the errors the render raises: it judges plain one-line texts from
 * cached glyph measures and lays out the rest at the policy's smallest size only. Each case is
 * checked against rasterizeText, which searches every size and draws.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkText, rasterizeText, type RasterizeTextOptions } from '../../src/engine/raster/text.ts';
import { style, testFonts } from './helpers.ts';

/** Returns the error code an operation raises, or 'ok'. */
async function outcome(run: () => unknown): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const WORDS = ['Zoë', 'Martin-Łukasz', 'WWW', 'iii', 'Ångström', 'Жанна', 'Σοφία', '№42', 'l’été', 'O’Brien'];

/** Texts from one word to far too long for the boxes below, so every case crosses the limit. */
function texts(): string[] {
  const out: string[] = [];
  for (let count = 1; count <= 14; count++) {
    out.push(Array.from({ length: count }, (_, i) => WORDS[(i * 7 + count) % WORDS.length]).join(' '));
  }
  out.push('W'.repeat(30), 'i'.repeat(90), '  spaced   out  ', 'ÉÇÂ ÊÎÔ ŸÀ', 'ligne un\nligne deux');
  out.push('عام 2024', '日本語のテキスト', 'Zoë\tMartin');
  // Combining marks: clusters of several characters, cut by the segmenter.
  out.push('Zoe\u0308 Martin-Łukasz', 'Ame\u0301lie Dupont-Ange\u0300le de la Fontaine-Saint-E\u0301tienne');
  return out;
}

const STYLES: Parameters<typeof style>[0][] = [
  { size: 48, minSize: 30, maxLines: 1, overflow: 'reject' },
  { size: 48, minSize: 30, maxLines: 2, overflow: 'reject' },
  { size: 40, maxLines: 1, overflow: 'shrink' },
  { size: 40, maxLines: 1, overflow: 'ellipsis' },
  { size: 36, minSize: 36, maxLines: 1, overflow: 'reject', letterSpacing: 4 },
  {
    size: 44,
    minSize: 40,
    maxLines: 1,
    overflow: 'reject',
    shadow: { color: '#000000', blur: 12, x: 0, y: 4 },
  },
];

const BOXES = [
  { w: 420, h: 80 },
  { w: 260, h: 120 },
  // Too low for one line at these sizes: every policy fails, whatever the width.
  { w: 900, h: 20 },
];

describe('checkText', () => {
  it('raises what the render raises, for texts on both sides of the limit', async () => {
    const fonts = await testFonts();
    const seen = new Set<string>();
    let compared = 0;
    for (const overrides of STYLES) {
      for (const box of BOXES) {
        for (const text of texts()) {
          const options: RasterizeTextOptions = { text, style: style(overrides), box, fonts };
          const expected = await outcome(() => rasterizeText(options));
          const actual = await outcome(() => checkText(options));
          assert.equal(
            actual,
            expected,
            `${JSON.stringify(text)} in ${box.w}x${box.h}, ${JSON.stringify(overrides)}`,
          );
          seen.add(expected);
          compared++;
        }
      }
    }
    // The cases must reach both outcomes, or the comparison proves nothing.
    assert.deepEqual([...seen].sort(), ['TEXT_DOES_NOT_FIT', 'ok']);
    assert.ok(compared > 300);
  });

  it('gives the same answer from the glyph cache as on the first call', async () => {
    const fonts = await testFonts();
    const options: RasterizeTextOptions = {
      text: 'Martin-Łukasz Zoë Ångström',
      style: style({ size: 48, minSize: 30, maxLines: 1, overflow: 'reject' }),
      box: { w: 420, h: 80 },
      fonts,
    };
    const first = await outcome(() => checkText(options));
    const second = await outcome(() => checkText(options));
    assert.equal(first, second);
    assert.equal(second, await outcome(() => rasterizeText(options)));
  });

  it('names the unsupported character as the render does', async () => {
    const fonts = await testFonts();
    const options: RasterizeTextOptions = {
      text: 'Zoë ཀ',
      style: style({ size: 40 }),
      box: { w: 420, h: 80 },
      fonts,
      field: 'variables.TXT_NAME',
    };
    assert.throws(() => checkText(options), {
      code: 'TEXT_UNSUPPORTED_CHARACTER',
      field: 'variables.TXT_NAME',
    });
  });
});
