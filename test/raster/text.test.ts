import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCanvas } from '@napi-rs/canvas';
import { VidataError } from '../../src/errors.ts';
import { rasterizeText } from '../../src/engine/raster/text.ts';
import { decodePixels, inkBox, inkCount, style, testFonts, type InkBox } from './helpers.ts';

const BOX = { w: 300, h: 120 };

async function drawnInk(
  text: string,
  overrides: Parameters<typeof style>[0],
  box = BOX,
): Promise<{ ink: InkBox | undefined; fontSize: number; lines: string[]; width: number; height: number }> {
  const raster = await rasterizeText({ text, style: style(overrides), box, fonts: await testFonts() });
  const pixels = await decodePixels(raster.png);
  assert.equal(pixels.width, raster.width);
  assert.equal(pixels.height, raster.height);
  return {
    ink: inkBox(pixels),
    fontSize: raster.fontSize,
    lines: raster.lines,
    width: raster.width,
    height: raster.height,
  };
}

function assertInside(ink: InkBox | undefined, box: { w: number; h: number }): asserts ink is InkBox {
  assert.ok(ink, 'expected some ink');
  assert.ok(ink.left >= 0, `ink starts at x = ${ink.left}`);
  assert.ok(ink.top >= 0, `ink starts at y = ${ink.top}`);
  assert.ok(ink.right < box.w, `ink right edge ${ink.right} outside width ${box.w}`);
  assert.ok(ink.bottom < box.h, `ink bottom edge ${ink.bottom} outside height ${box.h}`);
}

describe('rasterizeText', () => {
  it('returns an image of the box size rounded up', async () => {
    const result = await drawnInk('Ada', { size: 40 }, { w: 200.2, h: 80.5 });
    assert.equal(result.width, 201);
    assert.equal(result.height, 81);
  });

  it('shrinks a long name to fit inside the box', async () => {
    const short = await drawnInk('Ada', { size: 48, maxLines: 1 });
    const long = await drawnInk('Alexandra Whitmore', { size: 48, maxLines: 1 });
    assert.equal(short.fontSize, 48);
    assert.ok(long.fontSize < short.fontSize, `long name drawn at ${long.fontSize}px`);
    assert.ok(long.fontSize >= 24, 'stays at or above the default minimum (half the size)');
    assert.deepEqual(long.lines, ['Alexandra Whitmore']);
    assertInside(short.ink, BOX);
    assertInside(long.ink, BOX);
    // The shrunk line uses most of the width: the size search does not stop far below the fit.
    assert.ok(
      long.ink.right - long.ink.left > BOX.w * 0.85,
      `ink is ${long.ink.right - long.ink.left}px wide`,
    );
  });

  it('wraps on word boundaries up to maxLines', async () => {
    const two = await drawnInk('Jean-Baptiste Emmanuel Zorg', { size: 32, maxLines: 2 });
    assert.deepEqual(two.lines, ['Jean-Baptiste', 'Emmanuel Zorg']);
    assert.equal(two.fontSize, 32);
    assertInside(two.ink, BOX);

    const one = await drawnInk('Jean-Baptiste Emmanuel Zorg', { size: 32, maxLines: 1 });
    assert.deepEqual(one.lines, ['Jean-Baptiste Emmanuel Zorg']);
    assert.ok(one.fontSize < 32);
  });

  it('keeps newlines as hard line breaks', async () => {
    const result = await drawnInk('Hello\nWorld', { size: 30, maxLines: 3 });
    assert.deepEqual(result.lines, ['Hello', 'World']);
  });

  it('moves the ink with the alignment', async () => {
    const left = await drawnInk('Ada', { size: 40, align: 'left' });
    const center = await drawnInk('Ada', { size: 40, align: 'center' });
    const right = await drawnInk('Ada', { size: 40, align: 'right' });
    assertInside(left.ink, BOX);
    assertInside(center.ink, BOX);
    assertInside(right.ink, BOX);
    assert.ok(left.ink.left <= 3, `left-aligned ink starts at ${left.ink.left}`);
    // The last glyph's right side bearing leaves a few pixels free at the right edge.
    assert.ok(right.ink.right >= BOX.w - 8, `right-aligned ink ends at ${right.ink.right}`);
    assert.ok(left.ink.left < center.ink.left, 'centred ink starts right of left-aligned ink');
    assert.ok(center.ink.left < right.ink.left, 'right-aligned ink starts right of centred ink');
    const centre = (center.ink.left + center.ink.right) / 2;
    assert.ok(Math.abs(centre - BOX.w / 2) <= 3, `centred ink is centred on ${centre}`);
  });

  it('moves the ink with the vertical alignment', async () => {
    const top = await drawnInk('Ada', { size: 30, valign: 'top' });
    const bottom = await drawnInk('Ada', { size: 30, valign: 'bottom' });
    assertInside(top.ink, BOX);
    assertInside(bottom.ink, BOX);
    assert.ok(top.ink.top < 15, `top-aligned ink starts at ${top.ink.top}`);
    assert.ok(bottom.ink.bottom > BOX.h - 15, `bottom-aligned ink ends at ${bottom.ink.bottom}`);
  });

  it('rejects text that does not fit with TEXT_DOES_NOT_FIT', async () => {
    const fonts = await testFonts();
    await assert.rejects(
      rasterizeText({
        text: 'Bartholomew Featherstonehaugh of Wolverhampton',
        style: style({ size: 48, minSize: 40, maxLines: 1, overflow: 'reject' }),
        box: BOX,
        fonts,
        field: 'variables.TXT_NAME',
      }),
      (error: unknown) => {
        assert.ok(error instanceof VidataError);
        assert.equal(error.code, 'TEXT_DOES_NOT_FIT');
        assert.equal(error.field, 'variables.TXT_NAME');
        return true;
      },
    );
  });

  it('ellipsizes at minSize with overflow shrink', async () => {
    const result = await drawnInk('Bartholomew Featherstonehaugh of Wolverhampton and Elsewhere', {
      size: 48,
      minSize: 36,
      maxLines: 1,
      overflow: 'shrink',
    });
    assert.equal(result.fontSize, 36);
    assert.equal(result.lines.length, 1);
    assert.ok(result.lines[0]!.endsWith('\u2026'), result.lines[0]);
    assert.ok(result.lines[0]!.startsWith('Bartholomew'), result.lines[0]);
    assertInside(result.ink, BOX);
  });

  it('ellipsizes at the start size with overflow ellipsis', async () => {
    const result = await drawnInk('Bartholomew Featherstonehaugh of Wolverhampton', {
      size: 48,
      maxLines: 1,
      overflow: 'ellipsis',
    });
    assert.equal(result.fontSize, 48);
    assert.ok(result.lines[0]!.endsWith('\u2026'), result.lines[0]);
    assertInside(result.ink, BOX);
  });

  it('draws nothing for empty or blank text', async () => {
    for (const text of ['', '   ', '\n\t ']) {
      const result = await drawnInk(text, { size: 40 });
      assert.equal(result.ink, undefined, JSON.stringify(text));
      assert.deepEqual(result.lines, []);
    }
  });

  it('draws accented names with the template font', async () => {
    const fonts = await testFonts();
    const alias = fonts.families.get('Brand')!;
    const ctx = createCanvas(10, 10).getContext('2d');
    ctx.font = `100px "${alias}"`;
    // Montserrat gives each accented letter the advance of its base letter; an empty box (.notdef)
    // or a glyph from another font would have another width.
    const pairs: [string, string][] = [
      ['ë', 'e'],
      ['é', 'e'],
      ['Ł', 'L'],
      ['ö', 'o'],
    ];
    const notdef = ctx.measureText('\uE000').width;
    for (const [accented, base] of pairs) {
      const width = ctx.measureText(accented).width;
      assert.ok(Math.abs(width - ctx.measureText(base).width) < 1, `${accented} is ${width} wide`);
      assert.notEqual(width, notdef, `${accented} is drawn as the missing-glyph box`);
    }
    // The diaeresis and acute accent draw ink above the base letter.
    assert.ok(
      ctx.measureText('ë').actualBoundingBoxAscent > ctx.measureText('e').actualBoundingBoxAscent + 10,
    );

    const result = await drawnInk('Zoë Łukasz Métrologue', { size: 40, maxLines: 2 });
    assertInside(result.ink, BOX);
    assert.equal(result.lines.join(' '), 'Zoë Łukasz Métrologue');
  });

  it('keeps the shadow inside the box', async () => {
    const result = await drawnInk('Ada Lovelace', {
      size: 60,
      maxLines: 1,
      shadow: { color: '#000000ff', blur: 10, x: 6, y: 6 },
    });
    assertInside(result.ink, BOX);
  });

  it('scales letter spacing with the font size', async () => {
    const plain = await drawnInk('Ada', { size: 40 });
    const spaced = await drawnInk('Ada', { size: 40, letterSpacing: 20 });
    assertInside(spaced.ink, BOX);
    const plainWidth = plain.ink!.right - plain.ink!.left;
    const spacedWidth = spaced.ink.right - spaced.ink.left;
    // Two gaps between three letters, 20px each.
    assert.ok(Math.abs(spacedWidth - plainWidth - 40) <= 2, `${plainWidth} -> ${spacedWidth}`);
  });

  it('draws with the colour of the style', async () => {
    const raster = await rasterizeText({
      text: 'I',
      style: style({ size: 80, color: '#ff0000' }),
      box: BOX,
      fonts: await testFonts(),
    });
    const pixels = await decodePixels(raster.png);
    const box = inkBox(pixels, 250)!;
    const [r, g, b, a] = pixels.at(
      Math.round((box.left + box.right) / 2),
      Math.round((box.top + box.bottom) / 2),
    );
    assert.deepEqual([r, g, b, a], [255, 0, 0, 255]);
    assert.ok(inkCount(pixels) > 100);
  });
});

describe('rasterizeText ink bounds', () => {
  // Scripts with marks above and below the line, tall capitals, overhanging italics and emoji.
  const texts = ['ÅÉÎ Ågjpqy', 'नमस्ते दुनिया', 'ที่นั่น ผู้ใหญ่', 'مرحبا بكم 2024', 'Ǻǽ ſ ﬁ 😀🇫🇷', 'Łukasz\nZoë'];
  const aligns = ['left', 'center', 'right'] as const;
  const valigns = ['top', 'middle', 'bottom'] as const;

  it('keeps every pixel inside the box', async () => {
    const fonts = await testFonts();
    let checked = 0;
    for (const [t, text] of texts.entries()) {
      for (const [a, align] of aligns.entries()) {
        const valign = valigns[(t + a) % valigns.length]!;
        const box = { w: 180 + 40 * a, h: 70 + 10 * t };
        const raster = await rasterizeText({
          text,
          style: style({
            size: 36 + 6 * a,
            align,
            valign,
            italic: a === 2,
            lineHeight: a === 1 ? 0.8 : 1.2,
            letterSpacing: a - 1,
            shadow: t % 2 === 0 ? { color: '#000000', blur: 4, x: 2, y: 3 } : undefined,
          }),
          box,
          fonts,
        });
        const ink = inkBox(await decodePixels(raster.png));
        const label = `${JSON.stringify(text)} ${align} ${valign}`;
        assert.ok(ink, label);
        const where = `${label}: ${JSON.stringify(ink)}`;
        // Every ink edge stays one pixel clear of the box's edge: the layout's anti-aliasing margin.
        assert.ok(ink.left >= 1, where);
        assert.ok(ink.top >= 1, where);
        assert.ok(ink.right <= box.w - 2, where);
        assert.ok(ink.bottom <= box.h - 2, where);
        checked++;
      }
    }
    assert.equal(checked, texts.length * aligns.length);
  });
});
