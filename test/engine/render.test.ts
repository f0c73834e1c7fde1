import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadFonts, rasterizeText } from '../../src/engine/raster/index.ts';
import { render } from '../../src/engine/render.ts';
import type { RenderEvent, RenderResult } from '../../src/engine/types.ts';
import { VidataError } from '../../src/errors.ts';
import { loadTemplate, type Template } from '../../src/template/load.ts';
import type { TextLayer } from '../../src/template/schema.ts';
import { validateValues } from '../../src/template/values.ts';
import {
  BASIC_TEMPLATE,
  decodeErrors,
  decodeFrame,
  decodeImage,
  ffprobe,
  inkBounds,
  meanDifference,
  type Region,
  run,
  tools,
  topLevelBoxes,
} from './media-checks.ts';

const WIDTH = 320;
const HEIGHT = 180;
const FPS = 25;
/** Scene 2 ("name") starts at frame 55 and shows only `{{TXT_NAME}}` on a plain colour. */
const NAME_FRAME = 65;
const NAME_BOX = { x: 20, y: 60, w: 280, h: 60 };
/**
 * Largest mean difference per channel between the decoded text and the expected raster, over the
 * text's ink. H.264 at crf 23 and 4:2:0 chroma blur the glyph edges: measured 4.7 for "Zoë", against
 * 27 for the same text one pixel off and 75 for no text.
 */
const TEXT_TOLERANCE = 9;

interface Rendered {
  result: RenderResult;
  events: RenderEvent[];
  workDir: string;
}

async function renderBasic(root: string, name: string, values: Record<string, string>): Promise<Rendered> {
  const template = await loadTemplate(BASIC_TEMPLATE);
  const resolved = await validateValues(template, values, { allowLocalFiles: true, requireEmail: false });
  const workDir = path.join(root, `${name}-work`);
  await mkdir(workDir);
  const events: RenderEvent[] = [];
  const result = await render({
    template,
    values: resolved,
    ffmpeg: tools,
    output: { video: path.join(root, `${name}.mp4`), cover: path.join(root, `${name}.jpg`) },
    workDir,
    onEvent: (event) => events.push(event),
  });
  return { result, events, workDir };
}

function plainNameFrame(): Promise<Buffer> {
  return sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#102030' } })
    .raw()
    .toBuffer();
}

/**
 * The frame of the name scene as it should look (the text raster over the scene's colour), and the
 * region of the text's ink, where the frames are compared.
 */
async function expectedNameFrame(template: Template, name: string): Promise<{ frame: Buffer; ink: Region }> {
  const layer = template.scenes[2]?.layers[0] as TextLayer;
  const text = await rasterizeText({
    text: name,
    style: layer.style,
    box: layer.box,
    fonts: await loadFonts(template),
  });
  const frame = await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#102030' } })
    .composite([{ input: text.png, left: NAME_BOX.x, top: NAME_BOX.y }])
    .removeAlpha()
    .raw()
    .toBuffer();
  return { frame, ink: inkBounds(frame, await plainNameFrame(), WIDTH) };
}

describe('render of the basic template', () => {
  let root: string;
  let zoe: Rendered;
  let template: Template;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vidata-render-test-'));
    template = await loadTemplate(BASIC_TEMPLATE);
    zoe = await renderBasic(root, 'zoe', { TXT_NAME: 'Zoë', 'IMG_photo.png': 'blue' });
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes H.264 yuv420p at the template size and rate', async () => {
    const probe = await ffprobe(zoe.result.video);
    const video = probe.streams.find((s) => s.codec_type === 'video');
    assert.equal(video?.codec_name, 'h264');
    assert.equal(video?.pix_fmt, 'yuv420p');
    assert.equal(video?.width, WIDTH);
    assert.equal(video?.height, HEIGHT);
    assert.equal(video?.r_frame_rate, `${FPS}/1`);
    assert.equal(video?.nb_frames, String(template.frameCount));
  });

  it('tags the video as BT.709 limited range', async () => {
    const probe = await ffprobe(zoe.result.video);
    const video = probe.streams.find((s) => s.codec_type === 'video');
    assert.equal(video?.color_space, 'bt709');
    assert.equal(video?.color_primaries, 'bt709');
    assert.equal(video?.color_transfer, 'bt709');
    assert.equal(video?.color_range, 'tv');
  });

  it('keeps a background colour exact', async () => {
    const frame = await decodeFrame(zoe.result.video, NAME_FRAME);
    const at = (5 * WIDTH + 5) * 3;
    const pixel = [frame[at], frame[at + 1], frame[at + 2]] as number[];
    // #102030, the name scene's colour.
    [16, 32, 48].forEach((expected, c) =>
      assert.ok(Math.abs((pixel[c] as number) - expected) <= 2, `pixel ${pixel.join(',')}`),
    );
  });

  it('adds an AAC audio track', async () => {
    const probe = await ffprobe(zoe.result.video);
    const audio = probe.streams.find((s) => s.codec_type === 'audio');
    assert.equal(audio?.codec_name, 'aac');
  });

  it('lasts the template duration within one frame', async () => {
    const probe = await ffprobe(zoe.result.video);
    assert.ok(Math.abs(Number(probe.format.duration) - template.duration) <= 1 / FPS, probe.format.duration);
    assert.ok(Math.abs(zoe.result.duration - template.duration) <= 1 / FPS);
  });

  it('puts moov before mdat', async () => {
    const boxes = await topLevelBoxes(zoe.result.video);
    assert.ok(boxes.includes('moov'), boxes.join(','));
    assert.ok(boxes.includes('mdat'), boxes.join(','));
    assert.ok(boxes.indexOf('moov') < boxes.indexOf('mdat'), boxes.join(','));
  });

  it('starts every segment on a keyframe', async () => {
    const { stdout } = await run(tools.ffprobe, [
      '-v',
      'error',
      '-select_streams',
      'v',
      '-show_entries',
      'frame=key_frame,pts_time',
      '-of',
      'json',
      zoe.result.video,
    ]);
    const { frames } = JSON.parse(stdout.toString()) as { frames: { key_frame: number; pts_time: string }[] };
    const keyframes = frames.flatMap((f) =>
      f.key_frame === 1 ? [Math.round(Number(f.pts_time) * FPS)] : [],
    );
    // The scenes start at frames 0, 25 and 55.
    for (const start of [0, 25, 55])
      assert.ok(keyframes.includes(start), `keyframes: ${keyframes.join(',')}`);
  });

  it('decodes without errors', async () => {
    assert.equal(await decodeErrors(zoe.result.video), '');
  });

  it('draws the personalized text in the frame', async () => {
    const frame = await decodeFrame(zoe.result.video, NAME_FRAME);
    const expected = await expectedNameFrame(template, 'Zoë');
    const inText = meanDifference(frame, expected.frame, WIDTH, expected.ink);
    assert.ok(inText < TEXT_TOLERANCE, `the text's ink differs by ${inText.toFixed(2)}`);
    const inBox = meanDifference(frame, expected.frame, WIDTH, NAME_BOX);
    assert.ok(inBox < TEXT_TOLERANCE, `the text box differs by ${inBox.toFixed(2)}`);
  });

  it('fails the text check on a frame without the text', async () => {
    const expected = await expectedNameFrame(template, 'Zoë');
    const difference = meanDifference(await plainNameFrame(), expected.frame, WIDTH, expected.ink);
    assert.ok(difference > 2 * TEXT_TOLERANCE, `an absent text differs by only ${difference.toFixed(2)}`);
  });

  it('draws another value differently', async () => {
    const grace = await renderBasic(root, 'grace', { TXT_NAME: 'Grace Hopper' });
    const zoeFrame = await decodeFrame(zoe.result.video, NAME_FRAME);
    const graceFrame = await decodeFrame(grace.result.video, NAME_FRAME);
    const expected = await expectedNameFrame(template, 'Grace Hopper');
    const matching = meanDifference(graceFrame, expected.frame, WIDTH, expected.ink);
    assert.ok(matching < TEXT_TOLERANCE, `the text's ink differs by ${matching.toFixed(2)}`);
    const between = meanDifference(graceFrame, zoeFrame, WIDTH, expected.ink);
    assert.ok(between > 2 * TEXT_TOLERANCE, `the two names differ by only ${between.toFixed(2)}`);
  });

  it('draws nothing for an empty text', async () => {
    const empty = await renderBasic(root, 'empty', { TXT_NAME: '' });
    const frame = await decodeFrame(empty.result.video, NAME_FRAME);
    const difference = meanDifference(frame, await plainNameFrame(), WIDTH, NAME_BOX);
    assert.ok(difference < 2, `the empty name's box differs from the background by ${difference.toFixed(2)}`);
  });

  it('shows the chosen image', async () => {
    // Scene 1 starts at frame 25; its image has slid in after 0.3 s. "blue" is a blue gradient.
    const frame = await decodeFrame(zoe.result.video, 25 + 12);
    const at = (52 * WIDTH + 68) * 3;
    const [red, green, blue] = [frame[at], frame[at + 1], frame[at + 2]] as number[];
    assert.ok(
      (blue as number) > 100 && (blue as number) > (red as number) + 60,
      `pixel ${red},${green},${blue}`,
    );
  });

  it('writes the cover from the cover frame', async () => {
    const cover = await decodeImage(zoe.result.cover);
    assert.equal(cover.width, WIDTH);
    assert.equal(cover.height, HEIGHT);
    const whole = { x: 0, y: 0, w: WIDTH, h: HEIGHT };
    const coverFrame = await decodeFrame(zoe.result.video, template.output.coverFrame);
    const otherFrame = await decodeFrame(zoe.result.video, 5);
    assert.ok(meanDifference(cover.data, coverFrame, WIDTH, whole) < 4);
    assert.ok(meanDifference(cover.data, otherFrame, WIDTH, whole) > 20);
  });

  it('reports progress up to 100 without going down', () => {
    const values = zoe.events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
    assert.ok(values.length > 5, `only ${values.length} progress events`);
    for (let i = 1; i < values.length; i++) assert.ok((values[i] as number) > (values[i - 1] as number));
    assert.equal(values.at(-1), 100);
  });

  it('starts and ends every stage in order', () => {
    const stages = zoe.events.flatMap((e) =>
      e.type === 'stage-start' || e.type === 'stage-end' ? [`${e.type}:${e.stage}`] : [],
    );
    // Encoding starts while the last segments are still drawn, so the raster stage ends after the
    // encode stage starts. Every other stage ends before the next one starts.
    const expected = [
      'stage-start:resolve',
      'stage-end:resolve',
      'stage-start:plan',
      'stage-end:plan',
      'stage-start:raster',
      'stage-start:encode',
      'stage-end:raster',
      'stage-end:encode',
      'stage-start:join',
      'stage-end:join',
      'stage-start:cover',
      'stage-end:cover',
    ];
    assert.deepEqual(stages, expected);
    assert.deepEqual(Object.keys(zoe.result.timings).sort(), [
      'cover',
      'encode',
      'join',
      'plan',
      'raster',
      'resolve',
    ]);
  });

  it('removes its temporary folder after success', async () => {
    assert.deepEqual(await readdir(zoe.workDir), []);
  });
});

describe('render failures and cancellation', () => {
  let root: string;
  let template: Template;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vidata-render-fail-'));
    template = await loadTemplate(BASIC_TEMPLATE);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function attempt(
    name: string,
    options: { template?: Template; signal?: AbortSignal; onEvent?: (event: RenderEvent) => void } = {},
  ): Promise<{ error: unknown; workDir: string; video: string; cover: string }> {
    const used = options.template ?? template;
    const values = await validateValues(used, { TXT_NAME: 'Zoë' }, { requireEmail: false });
    const workDir = path.join(root, `${name}-work`);
    await mkdir(workDir);
    const video = path.join(root, `${name}.mp4`);
    const cover = path.join(root, `${name}.jpg`);
    try {
      await render({
        template: used,
        values,
        ffmpeg: tools,
        output: { video, cover },
        workDir,
        signal: options.signal,
        onEvent: options.onEvent,
      });
    } catch (error) {
      return { error, workDir, video, cover };
    }
    assert.fail('the render should have failed');
  }

  async function assertNoFile(file: string): Promise<void> {
    await assert.rejects(stat(file), { code: 'ENOENT' });
  }

  it('removes its temporary folder after a corrupt background', async () => {
    const copy = path.join(root, 'corrupt-template');
    await cp(BASIC_TEMPLATE, copy, { recursive: true, dereference: true });
    await writeFile(path.join(copy, 'background.png'), Buffer.from('not a png at all'));
    const { error, workDir, video, cover } = await attempt('corrupt', { template: await loadTemplate(copy) });
    assert.ok(error instanceof VidataError, String(error));
    assert.equal(error.code, 'IMAGE_INVALID');
    assert.deepEqual(await readdir(workDir), []);
    await assertNoFile(video);
    await assertNoFile(cover);
  });

  it('reports a broken clip as FFMPEG_FAILED with the ffmpeg output', async () => {
    const copy = path.join(root, 'broken-clip-template');
    await cp(BASIC_TEMPLATE, copy, { recursive: true, dereference: true });
    await writeFile(path.join(copy, 'clip.mp4'), Buffer.alloc(2048, 7));
    const { error, workDir } = await attempt('broken-clip', { template: await loadTemplate(copy) });
    assert.ok(error instanceof VidataError, String(error));
    assert.equal(error.code, 'FFMPEG_FAILED');
    assert.equal(error.field, 'scenes[1].background.video');
    assert.match((error.details as { stderrTail: string }).stderrTail, /Invalid data|moov atom not found/);
    assert.deepEqual(await readdir(workDir), []);
  });

  it('stops and cleans up when cancelled during encoding', async () => {
    const controller = new AbortController();
    const { error, workDir, video } = await attempt('cancelled', {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'stage-start' && event.stage === 'encode') controller.abort();
      },
    });
    assert.ok(error instanceof VidataError, String(error));
    assert.equal(error.code, 'RENDER_CANCELLED');
    assert.deepEqual(await readdir(workDir), []);
    await assertNoFile(video);
  });

  it('leaves no video when the cover cannot be written', async () => {
    const values = await validateValues(template, {}, { requireEmail: false });
    const video = path.join(root, 'no-cover.mp4');
    const cover = path.join(root, 'missing-folder', 'no-cover.jpg');
    await assert.rejects(render({ template, values, ffmpeg: tools, output: { video, cover } }), {
      code: 'ENOENT',
    });
    await assertNoFile(video);
  });

  it('rejects at once when cancelled before it starts', async () => {
    const controller = new AbortController();
    controller.abort();
    const { error, workDir } = await attempt('cancelled-early', { signal: controller.signal });
    assert.ok(error instanceof VidataError);
    assert.equal(error.code, 'RENDER_CANCELLED');
    assert.deepEqual(await readdir(workDir), []);
  });
});
