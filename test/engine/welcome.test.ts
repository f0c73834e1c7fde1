import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadFonts, rasterizeImage, rasterizeText } from '../../src/engine/raster/index.ts';
import { loadTemplate, type Template } from '../../src/template/load.ts';
import type { ImageLayer, TextLayer } from '../../src/template/schema.ts';
import {
  REPO,
  decodeErrors,
  decodeFrame,
  decodeImage,
  ffprobe,
  meanDifference,
  run,
  topLevelBoxes,
} from './media-checks.ts';

const WELCOME = path.join(REPO, 'templates/welcome');
const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 30;
const NAME = 'Zoë Martin-Łukasz';
/** 1.5 s into the greeting scene (which starts at 5 s): the name has scaled in and not started fading. */
const GREETING_FRAME = 195;
/** 1.5 s into the profile scene (which starts at 10 s): the photo has scaled in and not started fading. */
const PROFILE_FRAME = 345;

function layerById<T>(template: Template, id: string): T {
  for (const scene of template.scenes) {
    const layer = scene.layers.find((l) => l.id === id);
    if (layer) return layer as T;
  }
  throw new Error(`no layer "${id}" in the template`);
}

/**
 * Lists the pixels (in the box) where a text raster is fully opaque and so are their 8 neighbours:
 * there the frame must show the text colour whatever lies beneath, free of the blur of edges.
 */
async function solidInk(png: Buffer): Promise<{ x: number; y: number }[]> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const alpha = (x: number, y: number) => data[(y * info.width + x) * 4 + 3] as number;
  const pixels: { x: number; y: number }[] = [];
  for (let y = 1; y < info.height - 1; y++) {
    for (let x = 1; x < info.width - 1; x++) {
      let solid = true;
      for (let dy = -1; dy <= 1 && solid; dy++)
        for (let dx = -1; dx <= 1 && solid; dx++) solid = alpha(x + dx, y + dy) === 255;
      if (solid) pixels.push({ x, y });
    }
  }
  return pixels;
}

/** Fraction of `pixels` (box coordinates) where the frame shows `colour` within 40 on each channel. */
function matchingFraction(
  frame: Buffer,
  pixels: { x: number; y: number }[],
  origin: { x: number; y: number },
  colour: number[],
): number {
  let matching = 0;
  for (const { x, y } of pixels) {
    const at = ((origin.y + y) * WIDTH + origin.x + x) * 3;
    if ([0, 1, 2].every((c) => Math.abs((frame[at + c] as number) - (colour[c] as number)) <= 40)) matching++;
  }
  return matching / pixels.length;
}

describe('welcome template rendered by the command line', () => {
  let dir: string;
  let video: string;
  let cover: string;
  let template: Template;
  let seconds: number;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vidata-welcome-'));
    video = path.join(dir, 'welcome.mp4');
    cover = path.join(dir, 'welcome.jpg');
    template = await loadTemplate(WELCOME);
    const started = performance.now();
    const result = await run(process.execPath, [
      path.join(REPO, 'bin/vidata.js'),
      'render',
      WELCOME,
      '--set',
      `TXT_NAME=${NAME}`,
      '--set',
      'TXT_METIER=Métrologue',
      '--set',
      'IMG_image.png=image_2',
      '--set',
      'TXT_USEREMAIL=zoe@example.org',
      '--out',
      video,
      '--no-progress',
    ]);
    seconds = (performance.now() - started) / 1000;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString(), `${video}\n${cover}\n`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes 720p30 H.264 yuv420p with AAC', async (t) => {
    t.diagnostic(`render took ${seconds.toFixed(1)} s`);
    const probe = await ffprobe(video);
    const stream = probe.streams.find((s) => s.codec_type === 'video');
    assert.equal(stream?.codec_name, 'h264');
    assert.equal(stream?.pix_fmt, 'yuv420p');
    assert.equal(stream?.width, WIDTH);
    assert.equal(stream?.height, HEIGHT);
    assert.equal(stream?.r_frame_rate, `${FPS}/1`);
    assert.equal(stream?.nb_frames, String(template.frameCount));
    assert.equal(probe.streams.find((s) => s.codec_type === 'audio')?.codec_name, 'aac');
  });

  it('lasts 30 seconds within one frame', async () => {
    const probe = await ffprobe(video);
    assert.ok(Math.abs(Number(probe.format.duration) - template.duration) <= 1 / FPS, probe.format.duration);
  });

  it('puts moov before mdat', async () => {
    const boxes = await topLevelBoxes(video);
    assert.ok(boxes.indexOf('moov') >= 0, boxes.join(','));
    assert.ok(boxes.indexOf('moov') < boxes.indexOf('mdat'), boxes.join(','));
  });

  it('decodes without errors', async () => {
    assert.equal(await decodeErrors(video), '');
  });

  it('draws the name in the greeting', async () => {
    const layer = layerById<TextLayer>(template, 'name');
    const fonts = await loadFonts(template);
    const frame = await decodeFrame(video, GREETING_FRAME);
    const white = [255, 255, 255];
    const drawn = await rasterizeText({ text: NAME, style: layer.style, box: layer.box, fonts });
    const ink = await solidInk(drawn.png);
    assert.ok(ink.length > 1000, `only ${ink.length} solid ink pixels`);
    // Measured: 100 % of 22,517 solid ink pixels for the right name, 56 % for another one.
    const fraction = matchingFraction(frame, ink, layer.box, white);
    assert.ok(fraction > 0.97, `${(fraction * 100).toFixed(1)} % of the name's ink is white`);

    // Another name's ink does not match the frame, so the check above can fail.
    const other = await rasterizeText({ text: 'Grace Hopper', style: layer.style, box: layer.box, fonts });
    const otherFraction = matchingFraction(frame, await solidInk(other.png), layer.box, white);
    assert.ok(otherFraction < 0.8, `${(otherFraction * 100).toFixed(1)} % of another name's ink matches`);
  });

  it('shows the chosen photo in the profile', async () => {
    const layer = layerById<ImageLayer>(template, 'photo');
    const frame = await decodeFrame(video, PROFILE_FRAME);
    const centre = { x: layer.box.x + 120, y: layer.box.y + 120, w: 100, h: 100 };
    const expectedFrame = async (choice: string) => {
      const png = await rasterizeImage({
        file: path.join(WELCOME, 'images', `${choice}.png`),
        width: layer.box.w,
        height: layer.box.h,
        fit: 'cover',
        focalPoint: { x: 0.5, y: 0.4 },
        radius: layer.radius,
      });
      return sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#000000' } })
        .composite([{ input: png, left: layer.box.x, top: layer.box.y }])
        .removeAlpha()
        .raw()
        .toBuffer();
    };
    // Measured: 2.3 against image_2, 53 against image_1.
    const chosen = meanDifference(frame, await expectedFrame('image_2'), WIDTH, centre);
    const other = meanDifference(frame, await expectedFrame('image_1'), WIDTH, centre);
    assert.ok(chosen < 8, `the photo differs from image_2 by ${chosen.toFixed(2)}`);
    assert.ok(other > 2 * chosen + 10, `the photo differs from image_1 by only ${other.toFixed(2)}`);
  });

  it('writes the cover of frame 195', async () => {
    const image = await decodeImage(cover);
    assert.equal(image.width, WIDTH);
    assert.equal(image.height, HEIGHT);
    const whole = { x: 0, y: 0, w: WIDTH, h: HEIGHT };
    assert.equal(template.output.coverFrame, GREETING_FRAME);
    assert.ok(meanDifference(image.data, await decodeFrame(video, GREETING_FRAME), WIDTH, whole) < 4);
  });
});
