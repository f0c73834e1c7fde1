/**
 * The welcome template's agency scene rendered by the engine with the offline map provider, for two
 * addresses: the map area of the frames must differ, and differ from the template's default picture.
 * Only that scene is kept, so each render is a 7-second video.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { render } from '../../src/engine/render.ts';
import { createMapProvider, defaultMapSettings } from '../../src/maps/index.ts';
import { loadTemplate, type Template } from '../../src/template/load.ts';
import { validateValues } from '../../src/template/values.ts';

const WELCOME = path.join(import.meta.dirname, '..', '..', 'templates', 'welcome');
const MAP_VARIABLE = 'TXT_MAP_IMG_adresse.png';
/** The map layer's box in the welcome template. */
const MAP_BOX = { x: 580, y: 132, w: 640, h: 440 };
/** 1.2 s into the scene: the map has slid in (0.3 s + 0.5 s) and not started fading out (1.7 s). */
const FRAME_SECONDS = 1.2;
const { ffmpeg } = loadConfig();

let dir: string;
let template: Template;
let width: number;
let fps: number;

async function renderAddress(address: string, name: string): Promise<string> {
  const values = await validateValues(template, { [MAP_VARIABLE]: address }, { requireEmail: false });
  const maps = createMapProvider(defaultMapSettings()).withFonts(
    template.fonts.map((f) => ({
      family: f.family,
      file: path.join(template.dir, f.file),
      weight: f.weight,
    })),
  );
  const video = path.join(dir, `${name}.mp4`);
  await render({
    template,
    values,
    ffmpeg,
    maps,
    output: { video, cover: path.join(dir, `${name}.jpg`) },
    workDir: dir,
  });
  return video;
}

function decodeFrame(video: string, index: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const args = [
      '-v',
      'error',
      '-i',
      video,
      '-vf',
      `select=eq(n\\,${index})`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ];
    const child = spawn(ffmpeg.ffmpeg, args);
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg failed: ${stderr}`)),
    );
  });
}

/** Mean absolute difference per channel inside the map box of two RGB frames. */
function mapDifference(a: Buffer, b: Buffer, frameWidth: number): number {
  let sum = 0;
  for (let y = MAP_BOX.y; y < MAP_BOX.y + MAP_BOX.h; y++) {
    for (let x = MAP_BOX.x; x < MAP_BOX.x + MAP_BOX.w; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * frameWidth + x) * 3 + c;
        sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
      }
    }
  }
  return sum / (MAP_BOX.w * MAP_BOX.h * 3);
}

describe('welcome template map', () => {
  let paris: Buffer;
  let marseille: Buffer;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vidata-welcome-map-'));
    const copy = path.join(dir, 'template');
    await cp(WELCOME, copy, { recursive: true });
    const file = JSON.parse(await readFile(path.join(copy, 'template.json'), 'utf8')) as {
      scenes: { id: string }[];
      output: { coverFrame?: number };
    };
    file.scenes = file.scenes.filter((scene) => scene.id === 'agency');
    // The cover frame of the full video lies past the end of this one scene.
    delete file.output.coverFrame;
    await writeFile(path.join(copy, 'template.json'), JSON.stringify(file));
    template = await loadTemplate(copy);
    width = template.output.width;
    fps = template.output.fps;

    const frame = FRAME_SECONDS * fps;
    paris = await decodeFrame(
      await renderAddress('21 avenue des Champs-Élysées 75008 Paris', 'paris'),
      frame,
    );
    marseille = await decodeFrame(await renderAddress('2 quai du Port, 13002 Marseille', 'marseille'), frame);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows different maps for two addresses', () => {
    const difference = mapDifference(paris, marseille, width);
    assert.ok(difference > 8, `mean difference ${difference.toFixed(1)}`);
  });

  it('shows a drawn map, not the default picture', async () => {
    // An empty address makes the engine show the variable's DefaultImage.
    const fallback = await decodeFrame(await renderAddress('', 'default'), FRAME_SECONDS * fps);
    const difference = mapDifference(paris, fallback, width);
    assert.ok(difference > 8, `mean difference ${difference.toFixed(1)}`);
  });
});
