import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { render } from '../../src/engine/render.ts';
import { loadTemplate } from '../../src/template/load.ts';
import { validateValues } from '../../src/template/values.ts';
import { decodeFrame, tools } from './media-checks.ts';

const WIDTH = 160;
const HEIGHT = 90;

const box = (x: number, y: number, w: number, h: number) => ({ x, y, w, h });

/** One 2-second scene at 20 fps on black: one layer per behaviour checked below. */
const TEMPLATE = {
  formatVersion: 1,
  name: 'animations',
  output: { width: WIDTH, height: HEIGHT, fps: 20 },
  variables: [{ Name: 'TXT_USEREMAIL' }],
  scenes: [
    {
      duration: 2,
      background: { color: '#000000' },
      layers: [
        { type: 'image', src: 'red.png', box: box(10, 10, 40, 40), in: { type: 'fade', duration: 0.5 } },
        {
          type: 'image',
          src: 'green.png',
          box: box(60, 10, 40, 40),
          in: { type: 'slide-right', duration: 0.5 },
        },
        { type: 'image', src: 'blue.png', box: box(110, 10, 40, 40), in: { type: 'scale', duration: 0.5 } },
        { type: 'image', src: 'white.png', box: box(10, 55, 40, 30), start: 0.5, end: 1.5 },
        { type: 'image', src: 'yellow.png', box: box(60, 55, 30, 30), z: 1 },
        { type: 'image', src: 'magenta.png', box: box(70, 60, 30, 30) },
        { type: 'image', src: 'white.png', box: box(115, 55, 40, 30), opacity: 0.5 },
      ],
    },
  ],
};

const COLOURS: Record<string, string> = {
  red: '#ff0000',
  green: '#00ff00',
  blue: '#0000ff',
  white: '#ffffff',
  yellow: '#ffff00',
  magenta: '#ff00ff',
};

describe('layer timing and animations in frames', () => {
  let dir: string;
  let video: string;
  const frames = new Map<number, Buffer>();

  /** Returns the RGB pixel at (x, y) of frame `index`. */
  async function pixel(index: number, x: number, y: number): Promise<number[]> {
    let frame = frames.get(index);
    if (frame === undefined) {
      frame = await decodeFrame(video, index);
      frames.set(index, frame);
    }
    const at = (y * WIDTH + x) * 3;
    return [frame[at], frame[at + 1], frame[at + 2]] as number[];
  }

  function assertColour(actual: number[], expected: number[], label: string): void {
    const off = actual.some((value, c) => Math.abs(value - (expected[c] as number)) > 40);
    assert.ok(!off, `${label}: got ${actual.join(',')}, expected about ${expected.join(',')}`);
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vidata-animation-'));
    for (const [name, colour] of Object.entries(COLOURS)) {
      await sharp({ create: { width: 8, height: 8, channels: 3, background: colour } })
        .png()
        .toFile(path.join(dir, `${name}.png`));
    }
    await writeFile(path.join(dir, 'template.json'), JSON.stringify(TEMPLATE));
    const template = await loadTemplate(dir);
    const values = await validateValues(template, {}, { requireEmail: false });
    video = path.join(dir, 'out.mp4');
    await render({
      template,
      values,
      ffmpeg: tools,
      output: { video, cover: path.join(dir, 'out.jpg') },
      workDir: dir,
    });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fades a layer in', async () => {
    assertColour(await pixel(0, 15, 30), [0, 0, 0], 'at 0 s');
    assertColour(await pixel(5, 15, 30), [128, 0, 0], 'at 0.25 s');
    assertColour(await pixel(20, 15, 30), [255, 0, 0], 'at 1 s');
  });

  it('slides a layer in from the left', async () => {
    // Starts one box width to the left, at x 20..60, and eases into 60..100.
    assertColour(await pixel(0, 55, 30), [0, 255, 0], 'left of its box at 0 s');
    assertColour(await pixel(0, 95, 30), [0, 0, 0], 'its box at 0 s');
    assertColour(await pixel(20, 55, 30), [0, 0, 0], 'left of its box at 1 s');
    assertColour(await pixel(20, 95, 30), [0, 255, 0], 'its box at 1 s');
  });

  it('scales a layer in from its centre', async () => {
    assertColour(await pixel(1, 130, 30), [0, 0, 255], 'centre at 0.05 s');
    assertColour(await pixel(1, 112, 12), [0, 0, 0], 'corner at 0.05 s');
    assertColour(await pixel(20, 112, 12), [0, 0, 255], 'corner at 1 s');
  });

  it('shows a layer only between its start and end', async () => {
    // start 0.5 s and end 1.5 s at 20 fps: frames 10 to 29.
    assertColour(await pixel(9, 30, 70), [0, 0, 0], 'the frame before start');
    assertColour(await pixel(10, 30, 70), [255, 255, 255], 'the first frame');
    assertColour(await pixel(29, 30, 70), [255, 255, 255], 'the last frame');
    assertColour(await pixel(30, 30, 70), [0, 0, 0], 'the frame at end');
  });

  it('draws a layer until the last frame of its scene', async () => {
    assertColour(await pixel(39, 80, 70), [255, 255, 0], 'the last frame of the video');
  });

  it('draws a higher z above a later layer', async () => {
    assertColour(await pixel(20, 80, 70), [255, 255, 0], 'overlap of z 1 over z 0');
    assertColour(await pixel(20, 95, 80), [255, 0, 255], 'the lower layer outside the overlap');
  });

  it('keeps image colours through BT.709', async () => {
    // Saturated colours show a matrix mismatch most: red converted with BT.601 came out as 255,23,0.
    for (const [x, y, expected] of [
      [15, 30, [255, 0, 0]],
      [95, 30, [0, 255, 0]],
      [130, 30, [0, 0, 255]],
      [80, 70, [255, 255, 0]],
    ] as const) {
      const actual = await pixel(20, x, y);
      const off = actual.some((value, c) => Math.abs(value - (expected[c] as number)) > 8);
      assert.ok(!off, `at (${x}, ${y}): got ${actual.join(',')}, expected ${expected.join(',')}`);
    }
  });

  it('applies layer opacity', async () => {
    assertColour(await pixel(20, 135, 70), [128, 128, 128], 'white at opacity 0.5 over black');
  });
});
