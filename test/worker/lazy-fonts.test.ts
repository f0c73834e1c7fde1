/**
 * Shipped fallback fonts are registered with canvas only when a text needs them, which keeps a
 * render worker small. Each test file runs in a process of its own, so no other test has
 * registered a shipped family before these checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GlobalFonts } from '@napi-rs/canvas';
import { loadFonts } from '../../src/engine/raster/fonts.ts';
import { rasterizeText } from '../../src/engine/raster/text.ts';
import { decodePixels, inkBox, makeFontTemplate, style } from '../raster/helpers.ts';

const registered = (alias: string) => GlobalFonts.families.some((f) => f.family === alias);

describe('shipped font registration', () => {
  it('registers a family on first use', async () => {
    const fonts = await loadFonts(await makeFontTemplate());
    const japanese = 'vidata-shipped-NotoSansJP';
    assert.ok(fonts.fallbacks.includes(japanese), `${japanese} is not a fallback`);
    assert.equal(registered(japanese), false, 'registered before any text needed it');

    const draw = (text: string) =>
      rasterizeText({
        text,
        style: style({ size: 40, maxLines: 1, align: 'left' }),
        box: { w: 400, h: 80 },
        fonts,
      });
    await draw('Ada Lovelace');
    assert.equal(registered(japanese), false, 'registered for a Latin text');
    assert.equal(registered('vidata-shipped-NotoSans'), false, 'Noto Sans registered for Montserrat text');

    const raster = await draw('日本語');
    assert.equal(registered(japanese), true, 'not registered for a Japanese text');
    const ink = inkBox(await decodePixels(raster.png));
    assert.ok(ink !== undefined, 'the Japanese text left no ink');
    assert.ok(ink.right - ink.left > 80, `ink ${JSON.stringify(ink)} is too narrow for three glyphs`);
  });
});
