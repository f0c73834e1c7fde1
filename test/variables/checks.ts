/**
 * What a rendered variable case must show. Each check decodes one frame of the rendered video and
 * looks at the box of one layer. It compares the box with the raster the layer must have, drawn
 * again here by the raster stage over the scene's background colour. Or it checks a property that a
 * wrong render would lack: a marker in the right corner, colour where emoji are, or the moment of
 * the clip that a frame shows.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadFonts, rasterizeImage, rasterizeText } from '../../src/engine/raster/index.ts';
import { fillPlaceholders, type Template } from '../../src/template/load.ts';
import type { Layer, TextLayer } from '../../src/template/schema.ts';
import { decodeFrame, ffprobe } from '../engine/media-checks.ts';
import type { Rendered } from './harness.ts';
import {
  flattenOver,
  grow,
  inkBounds,
  meanDifference,
  parseColour,
  patchMean,
  plain,
  saturatedCount,
  strayPixels,
  type Colour,
  type Region,
  type Rgb,
} from './pixels.ts';

/**
 * Largest mean absolute difference per channel (0 to 255) between a text's ink region in a frame
 * and its expected raster. H.264 and 4:2:0 chroma soften glyph edges, so correct renders measured
 * 3.6 to 6.9 (colour emoji the most). An empty box differs from the same rasters by 28 to 74.
 */
export const TEXT_TOLERANCE = 9;
/**
 * Pixels of a region allowed to differ from the expected raster by more than 80 in luma. The mean
 * over a whole line hides a missing accent or dot. Against a frame of "Amélie Lefèvre", the raster
 * of "Amelie Lefevre" differs by a mean of only 5.6, but in 46 such pixels. The raster of "IYI" for
 * "İYİ" differs in 5. Every correct render of the suite measured 0.
 */
const MAX_STRAY_PIXELS = 2;
/** Like TEXT_TOLERANCE, over an image layer's whole box: correct renders measured 0.9 to 2.3. */
export const IMAGE_TOLERANCE = 8;
/**
 * Per channel, for the mean of a 3x3 patch of flat colour at least 3 pixels inside its edges.
 * Measured at most 36 off (a red marker scaled into a clip's corner); the palette's colours are
 * further apart than 80 on some channel.
 */
const COLOUR_TOLERANCE = 40;

export const PALETTE = {
  red: [255, 0, 0],
  blue: [0, 0, 255],
  /**
   * The blue of cmyk.jpg as sRGB: pure blue is outside the CMYK gamut, so the fixture script's
   * conversion to CMYK stores a duller blue, measured (27, 59, 139) once converted back. A negative
   * would be yellow.
   */
  printBlue: [27, 59, 139],
  /** The red badge of the card template's predefined choices. */
  badgeRed: [220, 30, 30],
  /** The opaque half of alpha.png. */
  green: [0, 200, 0],
  /** The picture of the portrait phone clip. */
  phoneBlue: [0x30, 0x60, 0xa0],
  /** Quadrants of the colour clip fixtures: top-left, top-right, bottom-left, bottom-right. */
  quadrantRed: [0xc8, 0x30, 0x30],
  quadrantGreen: [0x30, 0xb0, 0x40],
  quadrantWhite: [0xe0, 0xe0, 0xe0],
  quadrantGrey: [0x80, 0x80, 0x80],
  /** The odd-sized clip's picture. */
  clipGreen: [0x30, 0xb0, 0x40],
} as const satisfies Record<string, Colour>;

export type ColourName = keyof typeof PALETTE | 'background';

export type Check =
  /** The text layer of `variable` matches its raster, whose lines, font size and ellipsis are given. */
  | {
      type: 'text';
      variable: string;
      lines?: string[];
      fontSize?: number | { below: number };
      ellipsis?: boolean;
    }
  /** The value stored with the Vidata, after normalization. */
  | { type: 'stored'; variable: string; value: string }
  /** The box of the layer of `variable` shows only the background. */
  | { type: 'blank'; variable: string }
  /** The text layer shows colour: white text gets colour only from colour emoji. */
  | { type: 'colour-ink'; variable: string }
  /**
   * The left-most ink of the text layer looks far more like `text` drawn alone than like `not`:
   * the order of a right-to-left line.
   */
  | { type: 'starts-with'; variable: string; text: string; not: string }
  /** The text is drawn as wide as `glyph` alone: an emoji sequence became one picture. */
  | { type: 'one-glyph'; variable: string; glyph: string }
  /** The image layer matches the raster of the uploaded file or the chosen picture. */
  | { type: 'image'; variable: string }
  /** Colours at points of the layer's box, in pixels from its top-left corner. */
  | { type: 'pixels'; variable: string; frame?: number; points: [number, number, ColourName][] }
  /** The clip shows its moment `seconds` (a fixture whose luma is 16 + 100 t) at `frame`. */
  | { type: 'clip-time'; variable: string; frame: number; seconds: number }
  /** The clip shows frame `rampFrame` of ramp.mp4 (luma 16 + 8 n) at `frame`. */
  | { type: 'ramp'; variable: string; frame: number; rampFrame: number }
  /** The video has the template's length, and an AAC 48 kHz stereo track. */
  | { type: 'streams' };

/** Frame checked when a check names none: the middle of the card template's four frames. */
const DEFAULT_FRAME = 2;

/** Runs one check; `frames` decodes each frame of the case's video once. */
export async function verify(check: Check, rendered: Rendered, frames: FrameCache): Promise<void> {
  switch (check.type) {
    case 'text':
      return verifyText(check, rendered, await frames.get(DEFAULT_FRAME));
    case 'stored':
      assert.equal(rendered.values.texts[check.variable], check.value);
      return;
    case 'blank': {
      const frame = await frames.get(DEFAULT_FRAME);
      const box = layerBox(rendered.template, check.variable);
      const background = backgroundOf(rendered.template);
      const difference = meanDifference(frame, box, plain(frame.width, frame.height, background), {
        x: 0,
        y: 0,
      });
      assert.ok(
        difference < TEXT_TOLERANCE / 3,
        `the box differs from the background by ${difference.toFixed(2)}`,
      );
      const stray = strayPixels(frame, box, plain(frame.width, frame.height, background), { x: 0, y: 0 });
      assert.ok(stray <= MAX_STRAY_PIXELS, `${stray} pixels of ink in an empty box`);
      return;
    }
    case 'colour-ink': {
      const frame = await frames.get(DEFAULT_FRAME);
      const count = saturatedCount(frame, layerBox(rendered.template, check.variable));
      assert.ok(count > 40, `only ${count} coloured pixels in the text box`);
      return;
    }
    case 'starts-with':
      return verifyStartsWith(check, rendered, await frames.get(DEFAULT_FRAME));
    case 'one-glyph':
      return verifyOneGlyph(check, rendered, await frames.get(DEFAULT_FRAME));
    case 'image':
      return verifyImage(check, rendered, await frames.get(DEFAULT_FRAME));
    case 'pixels': {
      const frame = await frames.get(check.frame ?? DEFAULT_FRAME);
      const box = layerBox(rendered.template, check.variable);
      for (const [x, y, name] of check.points) {
        const expected = name === 'background' ? backgroundOf(rendered.template) : PALETTE[name];
        const seen = patchMean(frame, box.x + x, box.y + y);
        const off = Math.max(...seen.map((value, i) => Math.abs(value - (expected[i] as number))));
        assert.ok(
          off <= COLOUR_TOLERANCE,
          `at (${x}, ${y}) of the box: ${JSON.stringify(seen)}, expected ${name}`,
        );
      }
      return;
    }
    case 'clip-time': {
      const grey = await clipGrey(frames, rendered, check.variable, check.frame);
      const expected = (100 * check.seconds * 255) / 219;
      // Two frames of the clip's 12 per second part are 100/12 luma apart; codec noise adds about 3.
      assert.ok(Math.abs(grey - expected) <= 13, `grey ${grey.toFixed(1)}, expected ${expected.toFixed(1)}`);
      return;
    }
    case 'ramp': {
      const grey = await clipGrey(frames, rendered, check.variable, check.frame);
      const expected = (8 * check.rampFrame * 255) / 219;
      // The fps filter may take the neighbouring frame of the clip, 9.3 grey levels away.
      assert.ok(Math.abs(grey - expected) <= 14, `grey ${grey.toFixed(1)}, expected ${expected.toFixed(1)}`);
      return;
    }
    case 'streams':
      return verifyStreams(rendered);
  }
}

/** Decoded frames of one rendered video, each decoded once. */
export class FrameCache {
  readonly #rendered: Rendered;
  readonly #frames = new Map<number, Promise<Rgb>>();

  constructor(rendered: Rendered) {
    this.#rendered = rendered;
  }

  get(index: number): Promise<Rgb> {
    let frame = this.#frames.get(index);
    if (frame === undefined) {
      const { video, width, height } = this.#rendered.result;
      frame = decodeFrame(video, index).then((data) => {
        assert.equal(data.length, width * height * 3, `frame ${index} was not decoded`);
        return { data, width, height };
      });
      this.#frames.set(index, frame);
    }
    return frame;
  }
}

async function verifyText(
  check: Extract<Check, { type: 'text' }>,
  rendered: Rendered,
  frame: Rgb,
): Promise<void> {
  const layer = textLayer(rendered.template, check.variable);
  const text = fillPlaceholders(layer.text, rendered.values.texts);
  const raster = await rasterizeText({
    text,
    style: layer.style,
    box: layer.box,
    fonts: await loadFonts(rendered.template),
  });
  if (check.lines) assert.deepEqual(raster.lines, check.lines);
  if (typeof check.fontSize === 'number') assert.equal(raster.fontSize, check.fontSize);
  if (typeof check.fontSize === 'object') {
    assert.ok(raster.fontSize < check.fontSize.below, `font size ${raster.fontSize}`);
    assert.ok(
      raster.fontSize >= (layer.style.minSize ?? layer.style.size / 2),
      `font size ${raster.fontSize}`,
    );
  }
  if (check.ellipsis !== undefined) assert.equal(raster.lines.at(-1)?.endsWith('\u2026'), check.ellipsis);

  const background = backgroundOf(rendered.template);
  const expected = await flattenOver(raster.png, background);
  const whole = { x: 0, y: 0, w: expected.width, h: expected.height };
  const ink = inkBounds(expected, whole, background, 0);
  assert.ok(ink, 'the expected raster has no ink');
  const box = layerBox(rendered.template, check.variable);
  const inRaster = grow(ink, 2, expected.width, expected.height);
  const region = { ...inRaster, x: box.x + inRaster.x, y: box.y + inRaster.y };
  const offset = { x: box.x, y: box.y };
  const difference = meanDifference(frame, region, expected, offset);
  const blank = plain(frame.width, frame.height, background);
  const fromBlank = meanDifference(blank, region, expected, offset);
  // Unless the raster differs from an empty box by far more than the tolerance, the check proves nothing.
  assert.ok(
    fromBlank > 2 * TEXT_TOLERANCE,
    `the raster differs from an empty box by only ${fromBlank.toFixed(2)}`,
  );
  assert.ok(
    difference < TEXT_TOLERANCE,
    `mean difference ${difference.toFixed(2)} (empty box: ${fromBlank.toFixed(2)})`,
  );
  const stray = strayPixels(frame, region, expected, offset);
  assert.ok(stray <= MAX_STRAY_PIXELS, `${stray} pixels differ from the raster in luma by more than 80`);
}

async function verifyStartsWith(
  check: Extract<Check, { type: 'starts-with' }>,
  rendered: Rendered,
  frame: Rgb,
): Promise<void> {
  const box = layerBox(rendered.template, check.variable);
  const background = backgroundOf(rendered.template);
  const frameInk = inkBounds(frame, box, background);
  assert.ok(frameInk, 'the text box has no ink');
  const right = await leftInkDifference(rendered, check.variable, check.text, frame, frameInk);
  const wrong = await leftInkDifference(rendered, check.variable, check.not, frame, frameInk);
  assert.ok(
    right * 2 < wrong,
    `the left-most ink differs from "${check.text}" by ${right.toFixed(2)} and from "${check.not}" by ${wrong.toFixed(2)}`,
  );
}

/**
 * Returns the mean difference between the frame's left-most ink and `text` drawn alone in the same
 * layer, at the best of a few positions. The word alone need not sit exactly where it sits in the
 * line: the other script's tall glyphs move the line's block, and a right-to-left run may draw
 * its digits with the Arabic font's own figures.
 */
async function leftInkDifference(
  rendered: Rendered,
  variable: string,
  text: string,
  frame: Rgb,
  frameInk: Region,
): Promise<number> {
  const layer = textLayer(rendered.template, variable);
  const background = backgroundOf(rendered.template);
  const raster = await rasterizeText({
    text,
    style: layer.style,
    box: layer.box,
    fonts: await loadFonts(rendered.template),
  });
  const alone = await flattenOver(raster.png, background);
  const aloneInk = inkBounds(alone, { x: 0, y: 0, w: alone.width, h: alone.height }, background);
  assert.ok(aloneInk, `"${text}" alone has no ink`);
  const window = grow(aloneInk, 2, alone.width, alone.height);
  const box = layerBox(rendered.template, variable);
  let best = Infinity;
  for (let dy = -6; dy <= 6; dy++) {
    for (let dx = -2; dx <= 2; dx++) {
      const offset = { x: frameInk.x - aloneInk.x + dx, y: box.y + dy };
      const region = { ...window, x: window.x + offset.x, y: window.y + offset.y };
      best = Math.min(best, meanDifference(frame, region, alone, offset));
    }
  }
  return best;
}

async function verifyOneGlyph(
  check: Extract<Check, { type: 'one-glyph' }>,
  rendered: Rendered,
  frame: Rgb,
): Promise<void> {
  const layer = textLayer(rendered.template, check.variable);
  const background = backgroundOf(rendered.template);
  const glyph = await flattenOver(
    (
      await rasterizeText({
        text: check.glyph,
        style: layer.style,
        box: layer.box,
        fonts: await loadFonts(rendered.template),
      })
    ).png,
    background,
  );
  const glyphInk = inkBounds(glyph, { x: 0, y: 0, w: glyph.width, h: glyph.height }, background);
  const frameInk = inkBounds(frame, layerBox(rendered.template, check.variable), background);
  assert.ok(glyphInk, `"${check.glyph}" alone has no ink`);
  assert.ok(frameInk, 'the text box has no ink');
  const ratio = frameInk.w / glyphInk.w;
  assert.ok(
    ratio > 0.7 && ratio < 1.3,
    `drawn ${frameInk.w} px wide, one "${check.glyph}" is ${glyphInk.w} px`,
  );
}

async function verifyImage(
  check: Extract<Check, { type: 'image' }>,
  rendered: Rendered,
  frame: Rgb,
): Promise<void> {
  const { template, values, uploads } = rendered;
  const layer = findLayer(template, check.variable);
  const variable = template.variables.find((v) => v.Name === check.variable);
  assert.ok(layer.type === 'image', `the layer of ${check.variable} is not an image layer`);
  assert.ok(variable?.kind === 'image', `${check.variable} is not an image variable`);
  const source = values.images[check.variable];
  assert.ok(source, `no stored value for ${check.variable}`);
  const file =
    source.kind === 'upload'
      ? uploads[check.variable]
      : source.kind === 'template'
        ? path.join(template.dir, source.path)
        : source.path;
  assert.ok(file, `no file for ${check.variable}`);
  const box = layerBox(template, check.variable);
  const png = await rasterizeImage({
    file,
    width: box.w,
    height: box.h,
    fit: layer.fit ?? variable.Fit,
    ...(variable.FocalPoint ? { focalPoint: variable.FocalPoint } : {}),
    radius: layer.radius,
  });
  const background = backgroundOf(template);
  const expected = await flattenOver(png, background);
  const offset = { x: box.x, y: box.y };
  const difference = meanDifference(frame, box, expected, offset);
  assert.ok(difference < IMAGE_TOLERANCE, `mean difference ${difference.toFixed(2)}`);
  const stray = strayPixels(frame, box, expected, offset);
  assert.ok(stray <= MAX_STRAY_PIXELS, `${stray} pixels differ from the raster in luma by more than 80`);
}

/** Mean grey of the middle 8x8 pixels of a clip layer's box. */
async function clipGrey(
  frames: FrameCache,
  rendered: Rendered,
  variable: string,
  index: number,
): Promise<number> {
  const frame = await frames.get(index);
  const box = layerBox(rendered.template, variable);
  const centre = patchMean(frame, box.x + Math.floor(box.w / 2), box.y + Math.floor(box.h / 2), 4);
  const spread = Math.max(...centre) - Math.min(...centre);
  assert.ok(spread < 12, `the clip is not grey: ${JSON.stringify(centre)}`);
  return (centre[0] + centre[1] + centre[2]) / 3;
}

async function verifyStreams(rendered: Rendered): Promise<void> {
  const { template, result } = rendered;
  const seconds = template.scenes.reduce((sum, scene) => sum + scene.duration, 0);
  assert.equal(result.frameCount, Math.round(seconds * template.output.fps));
  assert.ok(Math.abs(result.duration - seconds) < 0.1, `duration ${result.duration}`);
  const probe = await ffprobe(result.video);
  const audio = probe.streams.find((s) => s.codec_type === 'audio') as
    { codec_name: string; sample_rate?: string; channels?: number } | undefined;
  assert.equal(audio?.codec_name, 'aac');
  assert.equal(audio.sample_rate, '48000');
  assert.equal(audio.channels, 2);
}

function findLayer(template: Template, variable: string): Layer {
  const layers = template.scenes[0]?.layers ?? [];
  const layer = layers.find((l) =>
    l.type === 'text' ? l.text.includes(`{{${variable}}}`) : 'variable' in l && l.variable === variable,
  );
  assert.ok(layer, `no layer shows ${variable}`);
  return layer;
}

function textLayer(template: Template, variable: string): TextLayer {
  const layer = findLayer(template, variable);
  assert.ok(layer.type === 'text', `the layer of ${variable} is not a text layer`);
  return layer;
}

function layerBox(template: Template, variable: string): Region {
  const { box } = findLayer(template, variable);
  return { x: Math.round(box.x), y: Math.round(box.y), w: Math.round(box.w), h: Math.round(box.h) };
}

function backgroundOf(template: Template): Colour {
  const background = template.scenes[0]?.background;
  assert.ok(background, 'the template has no scene');
  assert.ok('color' in background, 'the case templates have a plain background colour');
  return parseColour(background.color);
}
