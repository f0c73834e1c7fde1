import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../src/config.ts';
import { loadTemplate, type Template } from '../../src/template/load.ts';
import type { ImageLayer, MapLayer, VariableDeclaration } from '../../src/template/schema.ts';

const run = promisify(execFile);
const TEMPLATE_DIR = 'templates/welcome';
const { ffprobe } = loadConfig().ffmpeg;

function variable<K extends VariableDeclaration['kind']>(
  template: Template,
  name: string,
  kind: K,
): Extract<VariableDeclaration, { kind: K }> {
  const found = template.variables.find((v) => v.Name === name);
  assert.ok(found, `${name} is declared`);
  assert.equal(found.kind, kind, `${name} is a ${kind} variable`);
  return found as Extract<VariableDeclaration, { kind: K }>;
}

async function probe(file: string, entries: string, extra: string[] = []): Promise<string[]> {
  const { stdout } = await run(ffprobe, [
    ...['-v', 'error', ...extra, '-show_entries', entries, '-of', 'csv=p=0', file],
  ]);
  return stdout.trim().split('\n');
}

/** Returns the presentation times in seconds of the video's keyframes. JSON, because CSV mixes in side data rows. */
async function keyframeTimes(file: string): Promise<number[]> {
  const { stdout } = await run(ffprobe, [
    ...['-v', 'error', '-select_streams', 'v', '-skip_frame', 'nokey'],
    ...['-show_entries', 'frame=pts_time', '-of', 'json', file],
  ]);
  const parsed = JSON.parse(stdout) as { frames: { pts_time: string }[] };
  return parsed.frames.map((frame) => Number(frame.pts_time));
}

async function folderSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? await folderSize(full) : (await stat(full)).size;
  }
  return total;
}

describe('welcome template', () => {
  let template: Template;
  before(async () => {
    template = await loadTemplate(TEMPLATE_DIR);
  });

  it('renders 1280x720 at 30 fps for 20 to 40 s', () => {
    assert.equal(template.output.width, 1280);
    assert.equal(template.output.height, 720);
    assert.equal(template.output.fps, 30);
    assert.ok(template.duration >= 20, `duration ${template.duration} s >= 20 s`);
    assert.ok(template.duration <= 40, `duration ${template.duration} s <= 40 s`);
    assert.equal(template.frameCount, Math.round(template.duration * 30));
  });

  it('declares exactly the five variables', () => {
    assert.deepEqual(
      template.variables.map((v) => [v.Name, v.kind]),
      [
        ['TXT_NAME', 'text'],
        ['TXT_METIER', 'text'],
        ['IMG_image.png', 'image'],
        ['TXT_MAP_IMG_adresse.png', 'map'],
        ['TXT_USEREMAIL', 'text'],
      ],
    );
  });

  it('text variables have their defaults and MaxLength', () => {
    const name = variable(template, 'TXT_NAME', 'text');
    assert.equal(name.MaxLength, 100);
    assert.equal(name.DefaultValue, 'Matthieu Rogier');
    assert.equal(name.ExampleValue, 'Matthieu Rogier');
    const job = variable(template, 'TXT_METIER', 'text');
    assert.equal(job.MaxLength, 100);
    assert.equal(job.DefaultValue, 'Métrologue');
    assert.equal(job.ExampleValue, 'Métrologue');
  });

  it('image variable offers image_1 and image_2', async () => {
    const image = variable(template, 'IMG_image.png', 'image');
    assert.deepEqual(Object.keys(image.PredefinedChoices ?? {}), ['image_1', 'image_2']);
    assert.equal(image.DefaultValue, 'image_1');
    assert.equal(image.AllowUpload, true);

    const layers = template.scenes
      .flatMap((s) => s.layers)
      .filter((l): l is ImageLayer => l.type === 'image');
    const slots = layers.filter((l) => l.variable === image.Name);
    assert.ok(slots.length > 0, 'a layer shows IMG_image.png');
    for (const slot of slots) {
      assert.equal(slot.box.w, image.Width);
      assert.equal(slot.box.h, image.Height);
    }
    for (const file of Object.values(image.PredefinedChoices ?? {})) {
      const meta = await sharp(path.join(template.dir, file)).metadata();
      assert.ok((meta.width ?? 0) >= image.Width, `${file} is at least as wide as the slot`);
      assert.ok((meta.height ?? 0) >= image.Height, `${file} is at least as high as the slot`);
    }
  });

  it('map variable has a default address and picture', async () => {
    const map = variable(template, 'TXT_MAP_IMG_adresse.png', 'map');
    assert.equal(map.DefaultValue, '21 avenue des champs elysees 75008 Paris');
    const layers = template.scenes.flatMap((s) => s.layers).filter((l): l is MapLayer => l.type === 'map');
    assert.equal(layers.length, 1);
    assert.equal(layers[0]?.box.w, map.Map.Width);
    assert.equal(layers[0]?.box.h, map.Map.Height);
    const meta = await sharp(path.join(template.dir, map.Map.DefaultImage)).metadata();
    assert.equal(meta.width, map.Map.Width);
    assert.equal(meta.height, map.Map.Height);
  });

  it('soundtrack is AAC as long as the video', async () => {
    assert.ok(template.soundtrack);
    const file = path.join(template.dir, template.soundtrack.file);
    const [codec] = await probe(file, 'stream=codec_name', ['-select_streams', 'a']);
    assert.equal(codec, 'aac');
    const [duration] = await probe(file, 'format=duration');
    assert.ok(Math.abs(Number(duration) - template.duration) < 0.1, `soundtrack lasts ${duration} s`);
  });

  it('background clips cover their scenes with 1 s keyframes', async () => {
    const clips = new Map<string, number>();
    for (const scene of template.scenes) {
      if (!('video' in scene.background)) continue;
      const needed = scene.background.offset + scene.duration;
      clips.set(scene.background.video, Math.max(needed, clips.get(scene.background.video) ?? 0));
    }
    assert.ok(clips.size > 0, 'some scene has a video background');

    for (const [clip, needed] of clips) {
      const file = path.join(template.dir, clip);
      const [stream] = await probe(file, 'stream=codec_name,width,height,r_frame_rate', [
        '-select_streams',
        'v',
      ]);
      assert.equal(stream, 'h264,1280,720,30/1', clip);
      const [duration] = await probe(file, 'format=duration');
      assert.ok(Number(duration) >= needed - 0.01, `${clip} lasts ${duration} s, scenes need ${needed} s`);

      const keyframes = await keyframeTimes(file);
      assert.ok(
        keyframes.length >= Math.floor(Number(duration)),
        `${clip} has ${keyframes.length} keyframes`,
      );
      for (let i = 1; i < keyframes.length; i++) {
        const gap = (keyframes[i] as number) - (keyframes[i - 1] as number);
        assert.ok(gap <= 1.001, `${clip}: ${gap} s between keyframes at ${keyframes[i]} s`);
      }
    }
  });

  it('folder stays under 12 MB', async () => {
    const bytes = await folderSize(template.dir);
    assert.ok(bytes < 12 * 1024 * 1024, `${bytes} bytes`);
  });
});
