/**
 * Writes the bench's second template: 60 seconds at 1920x1080, 30 fps, six scenes over a moving
 * background clip, with a personalized name, photo and city in three of them. Everything is made
 * here with ffmpeg and sharp, so the bench downloads nothing.
 *
 *   node --import tsx bench/make-template.ts <folder>
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadConfig } from '../src/config.ts';

const WELCOME = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../templates/welcome');
const WIDTH = 1920;
const HEIGHT = 1080;
const FPS = 30;

export async function makeLongTemplate(dir: string): Promise<string> {
  const { ffmpeg } = loadConfig().ffmpeg;
  for (const sub of ['backgrounds', 'images', 'fonts', 'audio'])
    await mkdir(path.join(dir, sub), { recursive: true });
  for (const font of ['Inter-Regular.ttf', 'Montserrat-ExtraBold.ttf']) {
    await copyFile(path.join(WELCOME, 'fonts', font), path.join(dir, 'fonts', font));
  }
  // A 10-second clip of soft moving shapes (a blurred, enlarged test pattern), looped by the scenes.
  await run(ffmpeg, [
    '-y',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=480x270:r=${FPS}:d=10`,
    '-vf',
    `boxblur=6:1,eq=saturation=0.5:brightness=-0.15,scale=${WIDTH}:${HEIGHT}:flags=bicubic`,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '20',
    '-g',
    String(FPS),
    '-pix_fmt',
    'yuv420p',
    '-colorspace',
    'bt709',
    '-color_primaries',
    'bt709',
    '-color_trc',
    'bt709',
    path.join(dir, 'backgrounds', 'motion.mp4'),
  ]);
  // 60 seconds of a quiet two-tone chord as the soundtrack.
  await run(ffmpeg, [
    '-y',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=f=220:d=60',
    '-f',
    'lavfi',
    '-i',
    'sine=f=330:d=60',
    '-filter_complex',
    '[0:a][1:a]amix=inputs=2,volume=0.3[a]',
    '-map',
    '[a]',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    path.join(dir, 'audio', 'chord.m4a'),
  ]);
  await panel(path.join(dir, 'images', 'card.png'), 1200, 700, '#ffffff', 0.85, 36);
  await panel(path.join(dir, 'images', 'logo.png'), 420, 120, '#ff7a59', 1, 24);
  await panel(path.join(dir, 'images', 'photo-a.png'), 600, 600, '#3a3f9e', 1, 0);
  await panel(path.join(dir, 'images', 'photo-b.png'), 600, 600, '#2f8f6b', 1, 0);
  await writeFile(path.join(dir, 'template.json'), `${JSON.stringify(templateJson(), null, 2)}\n`);
  return dir;
}

function templateJson(): unknown {
  const text = (id: string, value: string, y: number, start: number, end?: number, size = 72) => ({
    id,
    type: 'text',
    text: value,
    box: { x: 160, y, w: 1600, h: 160 },
    start,
    ...(end === undefined ? {} : { end }),
    in: { type: 'fade', duration: 0.6 },
    ...(end === undefined ? {} : { out: { type: 'fade', duration: 0.5 } }),
    style: { font: 'Montserrat', weight: 800, size, minSize: 32, color: '#ffffff', maxLines: 2 },
  });
  const background = (offset: number) => ({ video: 'backgrounds/motion.mp4', offset, fill: 'loop' });
  const card = {
    id: 'card',
    type: 'image',
    src: 'images/card.png',
    box: { x: 360, y: 190, w: 1200, h: 700 },
    opacity: 0.25,
    start: 0.3,
    in: { type: 'fade', duration: 0.8 },
  };
  const logo = {
    id: 'logo',
    type: 'image',
    src: 'images/logo.png',
    box: { x: 80, y: 60, w: 420, h: 120 },
    start: 0.2,
    in: { type: 'slide-right', duration: 0.6, distance: 80 },
  };
  return {
    formatVersion: 1,
    name: 'Bench 1080p',
    description: 'Made by bench/make-template.ts: 60 s at 1080p with a name, a photo and a city.',
    output: { width: WIDTH, height: HEIGHT, fps: FPS, coverFrame: 90 },
    fonts: [
      { family: 'Montserrat', file: 'fonts/Montserrat-ExtraBold.ttf', weight: 800 },
      { family: 'Inter', file: 'fonts/Inter-Regular.ttf', weight: 400 },
    ],
    soundtrack: { file: 'audio/chord.m4a', volume: 1 },
    variables: [
      { Name: 'TXT_NAME', DefaultValue: 'Camille Martin', MaxLength: 60 },
      { Name: 'TXT_CITY', DefaultValue: 'Lyon', MaxLength: 60 },
      { Name: 'TXT_USEREMAIL', ExampleValue: 'camille.martin@example.org', MaxLength: 254 },
      {
        Name: 'IMG_photo.png',
        Width: 600,
        Height: 600,
        DefaultValue: 'a',
        PredefinedChoices: { a: 'images/photo-a.png', b: 'images/photo-b.png' },
        AllowUpload: false,
      },
    ],
    scenes: [
      {
        id: 'intro',
        duration: 10,
        background: background(0),
        layers: [logo, text('title', 'A year with us', 440, 0.5)],
      },
      {
        id: 'greeting',
        duration: 10,
        background: background(10),
        layers: [
          logo,
          card,
          text('hello', 'Hello', 300, 0.3, undefined, 56),
          text('name', 'Dear {{TXT_NAME}},', 460, 1, 6),
        ],
      },
      {
        id: 'facts',
        duration: 10,
        background: background(20),
        layers: [card, text('fact', '12 projects delivered together', 440, 0.5)],
      },
      {
        id: 'photo',
        duration: 10,
        background: background(30),
        layers: [
          logo,
          {
            id: 'photo',
            type: 'image',
            variable: 'IMG_photo.png',
            box: { x: 660, y: 240, w: 600, h: 600 },
            radius: 300,
            start: 2,
            end: 7,
            in: { type: 'scale', duration: 0.6 },
            out: { type: 'fade', duration: 0.5 },
          },
        ],
      },
      {
        id: 'thanks',
        duration: 10,
        background: background(40),
        layers: [card, text('thanks', 'Thank you for your trust', 440, 0.5)],
      },
      {
        id: 'city',
        duration: 10,
        background: background(50),
        layers: [
          logo,
          text('see', 'See you soon in {{TXT_CITY}}', 440, 1, 5),
          text('bye', 'The whole team', 700, 5.5, undefined, 56),
        ],
      },
    ],
  };
}

async function panel(
  file: string,
  width: number,
  height: number,
  color: string,
  alpha: number,
  radius: number,
): Promise<void> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" rx="${radius}" fill="${color}" fill-opacity="${alpha}"/></svg>`;
  await sharp(Buffer.from(svg)).png().toFile(file);
}

function run(binary: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${binary} failed: ${stderr}`))));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new Error('Usage: node --import tsx bench/make-template.ts <folder>');
  process.stdout.write(`${await makeLongTemplate(path.resolve(dir))}\n`);
}
