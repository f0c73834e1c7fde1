/**
 * Table of inputs for the raster stage, each with the property its raster must have or the error
 * code it must raise. Every text case also checks that the ink stays inside the box.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { VidataError, type ErrorCode } from '../../src/errors.ts';
import { inspectImage, rasterizeImage, type ImageInfo } from '../../src/engine/raster/image.ts';
import { rasterizeText } from '../../src/engine/raster/text.ts';
import type { TextStyle } from '../../src/template/schema.ts';
import { FIXTURES, decodePixels, inkBox, style, testFonts, type Pixels } from './helpers.ts';

type Rgba = [number, number, number, number];

interface TextCase {
  name: string;
  text: string;
  style: Partial<TextStyle>;
  box?: { w: number; h: number };
  /** Expected lines, or `empty` for a fully transparent raster. */
  lines?: string[] | 'empty';
  fontSize?: number | { below: number };
  /** The last line ends with an ellipsis. */
  ellipsis?: boolean;
  error?: ErrorCode;
}

const BOX = { w: 300, h: 100 };
const LONG = 'Bartholomew Featherstonehaugh of Wolverhampton and Elsewhere';

const textCases: TextCase[] = [
  { name: 'short name at full size', text: 'Ada', style: { size: 40 }, lines: ['Ada'], fontSize: 40 },
  { name: 'empty text', text: '', style: { size: 40 }, lines: 'empty' },
  { name: 'white space only', text: ' \t\n ', style: { size: 40 }, lines: 'empty' },
  { name: 'zero-width space only', text: '\u200b\u200d', style: { size: 40 }, lines: 'empty' },
  {
    name: 'surrounding spaces trimmed',
    text: '   Ada   Lovelace  ',
    style: { size: 30 },
    lines: ['Ada Lovelace'],
  },
  { name: 'CRLF as a line break', text: 'Ada\r\nGrace', style: { size: 30 }, lines: ['Ada', 'Grace'] },
  {
    name: 'long name shrinks',
    text: 'Alexandra Whitmore',
    style: { size: 48, maxLines: 1 },
    lines: ['Alexandra Whitmore'],
    fontSize: { below: 48 },
  },
  {
    name: 'shrink ellipsizes at minSize',
    text: LONG,
    style: { size: 40, minSize: 30, maxLines: 2 },
    fontSize: 30,
    ellipsis: true,
  },
  {
    name: 'ellipsis keeps size',
    text: LONG,
    style: { size: 40, maxLines: 1, overflow: 'ellipsis' },
    fontSize: 40,
    ellipsis: true,
  },
  {
    name: 'reject too long',
    text: LONG,
    style: { size: 40, maxLines: 1, overflow: 'reject' },
    error: 'TEXT_DOES_NOT_FIT',
  },
  {
    name: 'reject fits after shrinking',
    text: 'Alexandra Whitmore',
    style: { size: 48, maxLines: 1, overflow: 'reject' },
    fontSize: { below: 48 },
  },
  {
    name: 'hard breaks beyond maxLines',
    text: 'A\nB\nC',
    style: { size: 30, maxLines: 2 },
    lines: ['A', 'B\u2026'],
  },
  {
    name: 'one long word is cut',
    text: 'Pneumonoultramicroscopicsilicovolcanoconiosis',
    style: { size: 40, maxLines: 1 },
    ellipsis: true,
  },
  {
    name: 'box too small for a line',
    text: 'Ada',
    style: { size: 40, minSize: 40 },
    box: { w: 300, h: 20 },
    error: 'TEXT_DOES_NOT_FIT',
  },
  {
    name: 'Turkish upper case',
    text: 'iyi',
    style: { size: 30, transform: 'uppercase', lang: 'tr' },
    lines: ['İYİ'],
  },
  {
    name: 'German sharp s',
    text: 'Straße',
    style: { size: 30, transform: 'uppercase', lang: 'de' },
    lines: ['STRASSE'],
  },
  {
    name: 'lower case',
    text: 'ÉCOLE',
    style: { size: 30, transform: 'lowercase', lang: 'fr' },
    lines: ['école'],
  },
  {
    name: 'accented names',
    text: 'Zoë Łukasz Métrologue',
    style: { size: 26 },
    box: { w: 400, h: 100 },
    lines: ['Zoë Łukasz Métrologue'],
  },
  { name: 'Arabic with digits', text: 'عام 2024', style: { size: 30 }, lines: ['عام 2024'] },
  { name: 'Hindi', text: 'नमस्ते दुनिया', style: { size: 30 }, lines: ['नमस्ते दुनिया'] },
  { name: 'emoji sequence', text: 'Bravo 👩‍💻🇫🇷', style: { size: 30 }, lines: ['Bravo 👩‍💻🇫🇷'] },
  {
    name: 'Chinese without spaces wraps',
    text: '欢迎来到我们的城市参观游览',
    style: { size: 40, maxLines: 2 },
    box: { w: 300, h: 110 },
  },
  { name: 'Tibetan not covered', text: 'བཀྲ་ཤིས', style: { size: 30 }, error: 'TEXT_UNSUPPORTED_CHARACTER' },
  {
    name: 'Korean not covered',
    text: '안녕하세요',
    style: { size: 30 },
    error: 'TEXT_UNSUPPORTED_CHARACTER',
  },
  { name: 'lone surrogate', text: 'Ada \ud800', style: { size: 30 }, error: 'TEXT_UNSUPPORTED_CHARACTER' },
  {
    name: 'shadow larger than box',
    text: 'Ada',
    style: { size: 30, shadow: { color: '#000000', blur: 60, x: 0, y: 0 } },
    error: 'TEXT_DOES_NOT_FIT',
  },
  {
    name: 'italic bold with shadow',
    text: 'Ada Lovelace',
    style: {
      size: 40,
      maxLines: 1,
      weight: 700,
      italic: true,
      shadow: { color: '#000000', blur: 6, x: 3, y: 3 },
    },
    lines: ['Ada Lovelace'],
  },
  {
    name: 'negative letter spacing',
    text: 'Lovelace',
    style: { size: 40, letterSpacing: -3 },
    lines: ['Lovelace'],
  },
  {
    name: 'invalid language tag',
    text: 'Ada',
    style: { size: 30, lang: 'en_US' },
    error: 'TEMPLATE_INVALID',
  },
  { name: 'tight line height', text: 'Ągj\nÉÀÇ', style: { size: 40, lineHeight: 0.8, maxLines: 2 } },
];

describe('text cases', () => {
  for (const testCase of textCases) {
    it(testCase.name, async () => {
      const box = testCase.box ?? BOX;
      const promise = rasterizeText({
        text: testCase.text,
        style: style({ size: 40, ...testCase.style }),
        box,
        fonts: await testFonts(),
        field: 'variables.TXT_CASE',
      });
      if (testCase.error) {
        await assert.rejects(promise, (error: unknown) => {
          assert.ok(error instanceof VidataError, String(error));
          assert.equal(error.code, testCase.error);
          assert.equal(
            error.field,
            testCase.error === 'TEMPLATE_INVALID' ? 'style.lang' : 'variables.TXT_CASE',
          );
          return true;
        });
        return;
      }
      const raster = await promise;
      const pixels = await decodePixels(raster.png);
      assert.equal(pixels.width, Math.ceil(box.w));
      assert.equal(pixels.height, Math.ceil(box.h));
      const ink = inkBox(pixels);

      if (testCase.lines === 'empty') {
        assert.equal(ink, undefined);
        assert.deepEqual(raster.lines, []);
        return;
      }
      assert.ok(ink, 'expected ink');
      const where = JSON.stringify(ink);
      assert.ok(ink.left >= 0, where);
      assert.ok(ink.top >= 0, where);
      assert.ok(ink.right < box.w, where);
      assert.ok(ink.bottom < box.h, where);
      assert.ok(raster.lines.length <= (testCase.style.maxLines ?? 2), JSON.stringify(raster.lines));
      if (testCase.lines) assert.deepEqual(raster.lines, testCase.lines);
      if (typeof testCase.fontSize === 'number') assert.equal(raster.fontSize, testCase.fontSize);
      if (typeof testCase.fontSize === 'object') assert.ok(raster.fontSize < testCase.fontSize.below);
      if (testCase.ellipsis !== undefined) {
        assert.equal(
          raster.lines.at(-1)?.endsWith('\u2026'),
          testCase.ellipsis,
          JSON.stringify(raster.lines),
        );
      }
    });
  }
});

type Expected = 'red' | 'pure red' | 'blue' | 'green' | 'transparent' | 'opaque';

interface ImageCase {
  name: string;
  file: string;
  fit?: 'cover' | 'contain';
  size?: { width: number; height: number };
  radius?: number;
  /** Result of inspectImage. */
  info?: ImageInfo;
  /** Pixels of the raster: [x, y, predicate name]. */
  pixels?: [number, number, Expected][];
  error?: ErrorCode;
}

const imageCases: ImageCase[] = [
  {
    name: 'JPEG',
    file: 'marker.jpg',
    info: { format: 'jpeg', width: 60, height: 40 },
    pixels: [
      [3, 3, 'red'],
      [40, 30, 'blue'],
    ],
  },
  {
    name: 'PNG',
    file: 'marker.png',
    info: { format: 'png', width: 60, height: 40 },
    pixels: [
      [3, 3, 'red'],
      [40, 30, 'blue'],
    ],
  },
  {
    name: 'WebP',
    file: 'marker.webp',
    info: { format: 'webp', width: 60, height: 40 },
    pixels: [
      [3, 3, 'red'],
      [40, 30, 'blue'],
    ],
  },
  {
    name: 'AVIF',
    file: 'marker.avif',
    info: { format: 'avif', width: 60, height: 40 },
    pixels: [
      [3, 3, 'red'],
      [40, 30, 'blue'],
    ],
  },
  {
    name: 'GIF first frame',
    file: 'animated.gif',
    info: { format: 'gif', width: 60, height: 40 },
    pixels: [
      [3, 3, 'red'],
      [40, 30, 'blue'],
    ],
  },
  {
    name: 'PNG named .jpg',
    file: 'png-named.jpg',
    info: { format: 'png', width: 60, height: 40 },
    pixels: [[3, 3, 'red']],
  },
  ...orientationCases(),
  { name: 'CMYK JPEG', file: 'cmyk.jpg', pixels: [[3, 3, 'red']] },
  {
    name: '16-bit PNG',
    file: 'rgb16.png',
    pixels: [
      [3, 3, 'red'],
      [40, 30, 'blue'],
    ],
  },
  {
    name: 'greyscale JPEG',
    file: 'grey.jpg',
    info: { format: 'jpeg', width: 60, height: 40 },
    pixels: [[40, 30, 'opaque']],
  },
  // Stored as (234, 51, 34) in Display P3; only a conversion through its profile gives pure red.
  { name: 'Display P3 PNG', file: 'display-p3.png', pixels: [[3, 3, 'pure red']] },
  {
    name: 'alpha PNG',
    file: 'alpha.png',
    pixels: [
      [10, 20, 'green'],
      [50, 20, 'transparent'],
    ],
  },
  {
    name: 'palette PNG with tRNS',
    file: 'palette-alpha.png',
    pixels: [
      [10, 20, 'green'],
      [50, 20, 'transparent'],
    ],
  },
  {
    name: 'contain bars',
    file: 'marker.png',
    fit: 'contain',
    size: { width: 60, height: 60 },
    pixels: [
      [30, 2, 'transparent'],
      [30, 30, 'blue'],
    ],
  },
  {
    name: 'radius above half is a pill',
    file: 'marker.png',
    radius: 500,
    pixels: [
      [0, 0, 'transparent'],
      [30, 20, 'opaque'],
      [30, 1, 'opaque'],
    ],
  },
  { name: 'upscaled to 1x1', file: 'marker.png', size: { width: 1, height: 1 } },
  { name: 'truncated JPEG', file: 'truncated.jpg', error: 'IMAGE_INVALID' },
  { name: 'corrupt PNG', file: 'garbage.png', error: 'IMAGE_INVALID' },
  { name: 'empty file', file: 'empty.png', error: 'IMAGE_INVALID' },
  { name: 'header larger than data', file: 'lying-header.png', error: 'IMAGE_INVALID' },
  { name: 'header above pixel limit', file: 'huge-header.png', error: 'IMAGE_TOO_LARGE' },
  { name: 'SVG', file: 'remote-reference.svg', error: 'IMAGE_INVALID' },
  { name: 'HEIC without decoder', file: 'header-only.heic', error: 'IMAGE_INVALID' },
  { name: 'missing file', file: 'does-not-exist.png', error: 'FILE_NOT_FOUND' },
];

/**
 * EXIF orientations 2 to 8 of the same stored picture (60x40, red marker top-left): where the
 * marker lands once upright. Orientations 5 to 8 swap width and height.
 */
function orientationCases(): ImageCase[] {
  const corners: Record<number, 'top-left' | 'top-right' | 'bottom-right' | 'bottom-left'> = {
    2: 'top-right',
    3: 'bottom-right',
    4: 'bottom-left',
    5: 'top-left',
    6: 'top-right',
    7: 'bottom-right',
    8: 'bottom-left',
  };
  return Object.entries(corners).map(([orientation, corner]) => {
    const turned = Number(orientation) >= 5;
    const width = turned ? 40 : 60;
    const height = turned ? 60 : 40;
    const x = corner.endsWith('right') ? width - 4 : 3;
    const y = corner.startsWith('bottom') ? height - 4 : 3;
    return {
      name: `EXIF orientation ${orientation} (marker ${corner})`,
      file: `orientation-${orientation}.jpg`,
      size: { width, height },
      info: { format: 'jpeg', width, height },
      pixels: [
        [x, y, 'red'],
        [width - 1 - x, height - 1 - y, 'blue'],
      ],
    };
  });
}

function matches(pixel: Rgba, expected: Expected): boolean {
  const [r, g, b, a] = pixel;
  switch (expected) {
    case 'red':
      return r > 180 && g < 80 && b < 80 && a === 255;
    case 'pure red':
      return r > 250 && g < 15 && b < 15 && a === 255;
    case 'blue':
      return r < 60 && g < 60 && b > 200 && a === 255;
    case 'green':
      return r < 60 && g > 150 && b < 60 && a === 255;
    case 'transparent':
      return a === 0;
    case 'opaque':
      return a === 255;
  }
}

describe('image cases', () => {
  for (const testCase of imageCases) {
    it(testCase.name, async () => {
      const file = path.join(FIXTURES, testCase.file);
      const size = testCase.size ?? { width: 60, height: 40 };
      const rasterize = () =>
        rasterizeImage({ file, ...size, fit: testCase.fit ?? 'cover', radius: testCase.radius });
      if (testCase.error) {
        for (const run of [rasterize, () => inspectImage(file)]) {
          await assert.rejects(run(), (error: unknown) => {
            assert.ok(error instanceof VidataError, String(error));
            assert.equal(error.code, testCase.error);
            return true;
          });
        }
        return;
      }
      const pixels: Pixels = await decodePixels(await rasterize());
      assert.equal(pixels.width, size.width);
      assert.equal(pixels.height, size.height);
      if (testCase.info) assert.deepEqual(await inspectImage(file), testCase.info);
      for (const [x, y, expected] of testCase.pixels ?? []) {
        assert.ok(
          matches(pixels.at(x, y), expected),
          `(${x}, ${y}) is ${pixels.at(x, y).join(',')}, expected ${expected}`,
        );
      }
    });
  }
});
