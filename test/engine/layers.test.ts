import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { render } from '../../src/engine/render.ts';
import type { MapImageRequest, RenderEvent } from '../../src/engine/types.ts';
import { VidataError } from '../../src/errors.ts';
import { loadTemplate, type Template } from '../../src/template/load.ts';
import { validateValues } from '../../src/template/values.ts';
import { decodeFrame, ffprobe, run, tools } from './media-checks.ts';

const WIDTH = 160;
const HEIGHT = 90;
const FPS = 20;

const box = (x: number, y: number, w: number, h: number) => ({ x, y, w, h });

/**
 * Two 1-second scenes at 20 fps. Scene 0: a still background fitted with `contain`, a template clip
 * that freezes and an uploaded clip that loops with its sound. Scene 1: a clip background that
 * freezes, a map, and the three leave animations.
 */
const TEMPLATE = {
  formatVersion: 1,
  name: 'layers',
  output: { width: WIDTH, height: HEIGHT, fps: FPS },
  variables: [
    { Name: 'TXT_USEREMAIL' },
    {
      Name: 'VID_clip',
      Width: 40,
      Height: 40,
      DefaultValue: 'two-colours.mp4',
      Fill: 'loop',
      KeepAudio: true,
    },
    {
      Name: 'TXT_MAP_IMG_map.png',
      DefaultValue: '',
      Map: { Width: 80, Height: 50, DefaultImage: 'map-default.png', Style: { pin: '#ff7a59' } },
    },
    {
      Name: 'TXT_MAP_IMG_second.png',
      DefaultValue: '',
      Map: { Width: 30, Height: 40, DefaultImage: 'map-default.png' },
    },
  ],
  scenes: [
    {
      duration: 1,
      background: { image: 'tall.png', fit: 'contain' },
      layers: [
        { type: 'video', src: 'two-colours.mp4', box: box(0, 0, 40, 40) },
        { type: 'video', variable: 'VID_clip', box: box(120, 0, 40, 40) },
      ],
    },
    {
      duration: 1,
      background: { video: 'two-colours.mp4', fill: 'freeze' },
      layers: [
        { type: 'map', variable: 'TXT_MAP_IMG_map.png', box: box(40, 5, 80, 50) },
        { type: 'map', variable: 'TXT_MAP_IMG_second.png', box: box(130, 5, 30, 40) },
        { type: 'image', src: 'white.png', box: box(0, 60, 40, 30), out: { type: 'fade', duration: 0.5 } },
        {
          type: 'image',
          src: 'cyan.png',
          box: box(60, 60, 40, 30),
          out: { type: 'slide-left', duration: 0.5, distance: 40 },
        },
        { type: 'image', src: 'blue.png', box: box(110, 60, 40, 30), out: { type: 'scale', duration: 0.5 } },
      ],
    },
  ],
};

const BLUE = [0, 0, 255];
const YELLOW = [255, 255, 0];
const BLACK = [0, 0, 0];

async function solidPng(file: string, width: number, height: number, colour: string): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: colour } })
    .png()
    .toFile(file);
}

/** Writes a 0.5-second clip, blue then yellow, with a 1 kHz tone, so its last frame differs from its first. */
async function writeClip(file: string): Promise<void> {
  const result = await run(tools.ffmpeg, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'color=c=blue:s=32x32:r=20:d=0.25',
    '-f',
    'lavfi',
    '-i',
    'color=c=yellow:s=32x32:r=20:d=0.25',
    '-f',
    'lavfi',
    '-i',
    'sine=f=1000:d=0.5',
    '-filter_complex',
    '[0:v][1:v]concat=n=2:v=1:a=0[v]',
    '-map',
    '[v]',
    '-map',
    '2:a',
    '-c:v',
    'libx264',
    '-g',
    '5',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    file,
  ]);
  assert.equal(result.code, 0, result.stderr);
}

/** Returns the loudest level in dB of the audio between `start` and `start + duration` seconds. */
async function maxVolume(file: string, start: number, duration: number): Promise<number> {
  const result = await run(tools.ffmpeg, [
    '-ss',
    String(start),
    '-t',
    String(duration),
    '-i',
    file,
    '-map',
    '0:a',
    '-af',
    'volumedetect',
    '-f',
    'null',
    '-',
  ]);
  const match = /max_volume: (-?[\d.]+|-inf) dB/.exec(result.stderr);
  assert.ok(match, result.stderr);
  return match[1] === '-inf' ? -Infinity : Number(match[1]);
}

describe('clip, map and leave animations in frames', () => {
  let dir: string;
  let template: Template;
  let video: string;
  const mapRequests: MapImageRequest[] = [];
  const frames = new Map<number, Buffer>();

  async function pixel(index: number, x: number, y: number): Promise<number[]> {
    let frame = frames.get(index);
    if (frame === undefined) {
      frame = await decodeFrame(video, index);
      frames.set(index, frame);
    }
    const at = (y * WIDTH + x) * 3;
    return [frame[at], frame[at + 1], frame[at + 2]] as number[];
  }

  async function assertColour(index: number, x: number, y: number, expected: number[], label: string) {
    const actual = await pixel(index, x, y);
    const off = actual.some((value, c) => Math.abs(value - (expected[c] as number)) > 45);
    assert.ok(!off, `${label}: got ${actual.join(',')}, expected about ${expected.join(',')}`);
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vidata-layers-'));
    const uploads = path.join(dir, 'uploads');
    await mkdir(uploads);
    await solidPng(path.join(dir, 'tall.png'), 20, 80, '#ff0000');
    await solidPng(path.join(dir, 'white.png'), 8, 8, '#ffffff');
    await solidPng(path.join(dir, 'cyan.png'), 8, 8, '#00ffff');
    await solidPng(path.join(dir, 'blue.png'), 8, 8, '#0000ff');
    await solidPng(path.join(dir, 'map-default.png'), 8, 8, '#808080');
    await writeClip(path.join(dir, 'two-colours.mp4'));
    await writeClip(path.join(uploads, 'upload-1.mp4'));
    await writeFile(path.join(dir, 'template.json'), JSON.stringify(TEMPLATE));
    template = await loadTemplate(dir);

    const values = await validateValues(
      template,
      {
        VID_clip: 'upload-1.mp4',
        'TXT_MAP_IMG_map.png': '1 rue de la Paix, Paris',
        'TXT_MAP_IMG_second.png': '2 quai de Loire, Paris',
      },
      {
        requireEmail: false,
        uploadExists: (filename, kind) => filename === 'upload-1.mp4' && kind === 'video',
      },
    );
    // Each address gets its own colour, so a map shown in the wrong place is seen.
    const mapColours: Record<string, string> = {
      '1 rue de la Paix, Paris': '#ff00ff',
      '2 quai de Loire, Paris': '#00ff00',
    };
    video = path.join(dir, 'out.mp4');
    await render({
      template,
      values,
      ffmpeg: tools,
      output: { video, cover: path.join(dir, 'out.jpg') },
      workDir: dir,
      media: { resolveUpload: (filename) => Promise.resolve(path.join(uploads, filename)) },
      maps: {
        renderMap: async (request) => {
          mapRequests.push(request);
          const { width, height } = request;
          const background = mapColours[request.address] ?? '#000000';
          return sharp({ create: { width, height, channels: 3, background } })
            .png()
            .toBuffer();
        },
      },
    });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fits a still background with contain', async () => {
    await assertColour(5, 10, 45, BLACK, 'bar beside the image');
    await assertColour(5, 80, 45, [255, 0, 0], 'the image');
  });

  it('freezes a template clip on its last frame', async () => {
    await assertColour(2, 20, 20, BLUE, 'first half of the clip');
    await assertColour(16, 20, 20, YELLOW, 'after the clip ended');
  });

  it('converts a BT.601 clip to BT.709', async () => {
    // The clips are 32x32 and untagged, so they are read as BT.601, as players do with small clips.
    for (const [index, expected] of [
      [2, BLUE],
      [16, YELLOW],
    ] as const) {
      const actual = await pixel(index, 20, 20);
      const off = actual.some((value, c) => Math.abs(value - (expected[c] as number)) > 10);
      assert.ok(!off, `frame ${index}: got ${actual.join(',')}, expected ${expected.join(',')}`);
    }
  });

  it('loops an uploaded clip variable', async () => {
    await assertColour(7, 140, 20, YELLOW, 'second half of the clip');
    await assertColour(12, 140, 20, BLUE, 'the clip again from its start');
  });

  it('freezes a background clip', async () => {
    await assertColour(20 + 2, 5, 45, BLUE, 'background at 0.1 s');
    await assertColour(20 + 16, 5, 45, YELLOW, 'background after the clip ended');
  });

  it('draws the maps from the provider', async () => {
    const first = mapRequests.find((r) => r.address === '1 rue de la Paix, Paris');
    assert.equal(mapRequests.length, 2);
    assert.equal(first?.width, 80);
    assert.equal(first?.height, 50);
    assert.equal(first?.style.pin, '#ff7a59');
    await assertColour(30, 80, 30, [255, 0, 255], 'the first map');
    await assertColour(30, 145, 25, [0, 255, 0], 'the second map');
  });

  it('fades a layer out', async () => {
    await assertColour(20 + 9, 20, 75, [255, 255, 255], 'before the fade');
    await assertColour(20 + 19, 20, 75, YELLOW, 'at the end of the fade');
  });

  it('slides a layer out to the left', async () => {
    await assertColour(20 + 5, 50, 75, YELLOW, 'left of its box before leaving');
    await assertColour(20 + 5, 90, 75, [0, 255, 255], 'its box before leaving');
    await assertColour(20 + 19, 50, 75, [0, 255, 255], 'left of its box while leaving');
    await assertColour(20 + 19, 95, 75, YELLOW, 'its box while leaving');
  });

  it('scales a layer out to its centre', async () => {
    await assertColour(20 + 5, 112, 62, BLUE, 'corner before leaving');
    await assertColour(20 + 19, 112, 62, YELLOW, 'corner while leaving');
  });

  it('mixes the sound of a KeepAudio clip over silence', async () => {
    const probe = await ffprobe(video);
    assert.equal(probe.streams.find((s) => s.codec_type === 'audio')?.codec_name, 'aac');
    // The clip's tone peaks at -18 dB in mono, -21 dB once spread over two channels.
    assert.ok((await maxVolume(video, 0.1, 0.8)) > -24, 'the clip is heard in scene 0');
    assert.ok((await maxVolume(video, 1.1, 0.8)) < -60, 'scene 1 is silent');
  });
});

describe('map layers without a drawn map', () => {
  let dir: string;
  let template: Template;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vidata-maps-'));
    await solidPng(path.join(dir, 'tall.png'), 20, 80, '#ff0000');
    await solidPng(path.join(dir, 'map-default.png'), 8, 8, '#808080');
    for (const name of ['white', 'cyan', 'blue'])
      await solidPng(path.join(dir, `${name}.png`), 8, 8, '#ffffff');
    await writeClip(path.join(dir, 'two-colours.mp4'));
    await writeFile(path.join(dir, 'template.json'), JSON.stringify(TEMPLATE));
    template = await loadTemplate(dir);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the default image without a map provider', async () => {
    const values = await validateValues(
      template,
      { 'TXT_MAP_IMG_map.png': '1 rue de la Paix' },
      { requireEmail: false },
    );
    const video = path.join(dir, 'default.mp4');
    await render({
      template,
      values,
      ffmpeg: tools,
      output: { video, cover: path.join(dir, 'default.jpg') },
    });
    const frame = await decodeFrame(video, 30);
    const at = (30 * WIDTH + 80) * 3;
    const grey = [frame[at], frame[at + 1], frame[at + 2]] as number[];
    assert.ok(
      grey.every((v) => Math.abs(v - 128) < 30),
      `map pixel ${grey.join(',')}`,
    );
  });

  it('fails with ADDRESS_NOT_FOUND and cleans up', async () => {
    const values = await validateValues(
      template,
      { 'TXT_MAP_IMG_map.png': 'nowhere' },
      { requireEmail: false },
    );
    const workDir = path.join(dir, 'work');
    await mkdir(workDir);
    const events: RenderEvent[] = [];
    await assert.rejects(
      render({
        template,
        values,
        ffmpeg: tools,
        output: { video: path.join(dir, 'x.mp4'), cover: path.join(dir, 'x.jpg') },
        workDir,
        onEvent: (event) => events.push(event),
        maps: {
          renderMap: () =>
            Promise.reject(
              new VidataError('ADDRESS_NOT_FOUND', 'No place matches "nowhere".', { field: 'address' }),
            ),
        },
      }),
      (error: unknown) => error instanceof VidataError && error.code === 'ADDRESS_NOT_FOUND',
    );
    assert.deepEqual(await readdir(workDir), []);
    assert.deepEqual(events[0], { type: 'stage-start', stage: 'resolve' });
  });
});
