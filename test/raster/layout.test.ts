import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VidataError } from '../../src/errors.ts';
import { layoutText, rasterizeText } from '../../src/engine/raster/text.ts';
import { style, testFonts } from './helpers.ts';

const BOX = { w: 300, h: 120 };

describe('layoutText', () => {
  const cases: { text: string; overrides: Parameters<typeof style>[0] }[] = [
    { text: 'Ada', overrides: { size: 48 } },
    { text: 'Alexandra Whitmore-Fitzgerald de la Tour', overrides: { size: 48, maxLines: 2 } },
    { text: 'Zoë Martin-Łukasz', overrides: { size: 60, maxLines: 1, overflow: 'ellipsis' } },
    { text: 'ligne un\nligne deux', overrides: { size: 30 } },
    { text: 'عام 2024', overrides: { size: 40 } },
    { text: '   ', overrides: { size: 40 } },
  ];
  for (const { text, overrides } of cases) {
    it(`matches the raster layout of ${JSON.stringify(text)}`, async () => {
      const fonts = await testFonts();
      const raster = await rasterizeText({ text, style: style(overrides), box: BOX, fonts });
      const layout = layoutText({ text, style: style(overrides), box: BOX, fonts });
      assert.equal(layout.fontSize, raster.fontSize);
      assert.deepEqual(layout.lines, raster.lines);
    });
  }

  it('raises TEXT_DOES_NOT_FIT as the raster does', async () => {
    const fonts = await testFonts();
    const options = {
      text: 'W'.repeat(80),
      style: style({ size: 40, minSize: 30, maxLines: 1, overflow: 'reject' }),
      box: BOX,
      fonts,
      field: 'variables.TXT_NAME',
    };
    assert.throws(
      () => layoutText(options),
      (error: unknown) =>
        error instanceof VidataError &&
        error.code === 'TEXT_DOES_NOT_FIT' &&
        error.field === 'variables.TXT_NAME',
    );
    await assert.rejects(rasterizeText(options), { code: 'TEXT_DOES_NOT_FIT' });
  });
});
