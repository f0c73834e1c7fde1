/**
 * Draws the still images of the welcome template with @napi-rs/canvas. They are the brand logo, the
 * two predefined choices of IMG_image.png (a portrait and a company logo), the map picture shown
 * until the maps module draws the recipient's address, and small decorations (photo ring, card shadow,
 * call-to-action button, black frame). sharp recompresses each PNG at the highest zlib level.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GlobalFonts, createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import sharp from 'sharp';
import { PALETTE, seededRandom, templatePath } from './common.ts';
import { FONT_FILES } from './fonts.ts';

type Draw = (ctx: SKRSContext2D, width: number, height: number) => void;

async function writePng(file: string, width: number, height: number, draw: Draw): Promise<void> {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  draw(ctx, width, height);
  const png = await sharp(await canvas.encode('png'))
    .png({ compressionLevel: 9, effort: 10 })
    .toBuffer();
  const target = templatePath(file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, png);
}

function roundedRect(ctx: SKRSContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, r);
}

/** Draws the brand mark: a play triangle on a rounded coral square. */
function drawMark(ctx: SKRSContext2D, x: number, y: number, size: number): void {
  const gradient = ctx.createLinearGradient(x, y, x + size, y + size);
  gradient.addColorStop(0, PALETTE.coral);
  gradient.addColorStop(1, '#ff9a5c');
  ctx.fillStyle = gradient;
  roundedRect(ctx, x, y, size, size, size * 0.28);
  ctx.fill();

  ctx.fillStyle = PALETTE.white;
  const cx = x + size * 0.53;
  const cy = y + size * 0.5;
  const s = size * 0.22;
  ctx.beginPath();
  ctx.moveTo(cx - s * 0.85, cy - s);
  ctx.lineTo(cx + s * 1.1, cy);
  ctx.lineTo(cx - s * 0.85, cy + s);
  ctx.closePath();
  ctx.fill();
}

function drawLogo(wordColor: string, taglineColor: string): Draw {
  return (ctx, width, height) => {
    const mark = height;
    drawMark(ctx, 0, 0, mark);
    ctx.fillStyle = wordColor;
    ctx.textBaseline = 'alphabetic';
    ctx.font = `800 ${Math.round(height * 0.62)}px Montserrat`;
    ctx.fillText('vidata', mark + height * 0.22, height * 0.62);
    ctx.fillStyle = taglineColor;
    ctx.font = `600 ${Math.round(height * 0.2)}px Inter`;
    ctx.fillText(
      'CONSEIL & ACCOMPAGNEMENT',
      mark + height * 0.25,
      height * 0.93,
      width - mark - height * 0.3,
    );
  };
}

/** Draws the logo without its tagline, which would be unreadable at the size of a corner logo. */
function drawCompactLogo(wordColor: string): Draw {
  return (ctx, _width, height) => {
    drawMark(ctx, 0, 0, height);
    ctx.fillStyle = wordColor;
    ctx.textBaseline = 'middle';
    ctx.font = `800 ${Math.round(height * 0.66)}px Montserrat`;
    ctx.fillText('vidata', height * 1.2, height * 0.47);
  };
}

/** Draws image_1, a flat illustrated portrait centred so that a circular crop keeps head and shoulders. */
const drawPortrait: Draw = (ctx, width, height) => {
  const background = ctx.createLinearGradient(0, 0, width, height);
  background.addColorStop(0, '#bcd6f2');
  background.addColorStop(1, '#8fa8e0');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, width, height);

  const cx = width / 2;
  // Shoulders and jacket.
  ctx.fillStyle = PALETTE.navy;
  ctx.beginPath();
  ctx.moveTo(cx - 250, height);
  ctx.bezierCurveTo(cx - 250, 520, cx - 170, 470, cx, 470);
  ctx.bezierCurveTo(cx + 170, 470, cx + 250, 520, cx + 250, height);
  ctx.closePath();
  ctx.fill();
  // Shirt collar.
  ctx.fillStyle = PALETTE.cream;
  ctx.beginPath();
  ctx.moveTo(cx - 70, 478);
  ctx.lineTo(cx, 590);
  ctx.lineTo(cx + 70, 478);
  ctx.closePath();
  ctx.fill();
  ctx.fillStyle = PALETTE.coral;
  ctx.beginPath();
  ctx.moveTo(cx - 16, 500);
  ctx.lineTo(cx + 16, 500);
  ctx.lineTo(cx + 24, 640);
  ctx.lineTo(cx, 668);
  ctx.lineTo(cx - 24, 640);
  ctx.closePath();
  ctx.fill();
  // Neck and head.
  ctx.fillStyle = '#e8b594';
  roundedRect(ctx, cx - 48, 380, 96, 110, 40);
  ctx.fill();
  ctx.fillStyle = '#f2c6a5';
  ctx.beginPath();
  ctx.ellipse(cx, 300, 118, 140, 0, 0, Math.PI * 2);
  ctx.fill();
  // Hair.
  ctx.fillStyle = '#3b2a24';
  ctx.beginPath();
  ctx.moveTo(cx - 126, 300);
  ctx.bezierCurveTo(cx - 150, 170, cx - 60, 130, cx + 10, 138);
  ctx.bezierCurveTo(cx + 110, 140, cx + 150, 200, cx + 126, 300);
  ctx.bezierCurveTo(cx + 110, 240, cx + 70, 214, cx + 10, 210);
  ctx.bezierCurveTo(cx - 60, 206, cx - 100, 240, cx - 126, 300);
  ctx.closePath();
  ctx.fill();
  // Face: eyes and smile, kept simple like an avatar.
  ctx.fillStyle = PALETTE.ink;
  for (const dx of [-42, 42]) {
    ctx.beginPath();
    ctx.ellipse(cx + dx, 305, 9, 11, 0, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.strokeStyle = '#b5654d';
  ctx.lineWidth = 8;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.arc(cx, 340, 38, Math.PI * 0.18, Math.PI * 0.82);
  ctx.stroke();
};

/** Draws image_2, the logo of an invented measuring-instrument company: a dial with ticks and a needle. */
const drawCompanyLogo: Draw = (ctx, width, height) => {
  ctx.fillStyle = PALETTE.cream;
  ctx.fillRect(0, 0, width, height);
  const cx = width / 2;
  const cy = height * 0.45;
  const r = width * 0.24;

  ctx.lineCap = 'round';
  ctx.strokeStyle = PALETTE.navy;
  ctx.lineWidth = 22;
  ctx.beginPath();
  ctx.arc(cx, cy, r, Math.PI * 0.8, Math.PI * 2.2);
  ctx.stroke();

  for (let i = 0; i <= 10; i++) {
    const a = Math.PI * 0.8 + (Math.PI * 1.4 * i) / 10;
    const inner = i % 5 === 0 ? r * 0.62 : r * 0.74;
    ctx.strokeStyle = i % 5 === 0 ? PALETTE.navy : PALETTE.slate;
    ctx.lineWidth = i % 5 === 0 ? 12 : 7;
    ctx.beginPath();
    ctx.moveTo(cx + Math.cos(a) * inner, cy + Math.sin(a) * inner);
    ctx.lineTo(cx + Math.cos(a) * r * 0.84, cy + Math.sin(a) * r * 0.84);
    ctx.stroke();
  }

  const needle = Math.PI * 1.72;
  ctx.strokeStyle = PALETTE.coral;
  ctx.lineWidth = 14;
  ctx.beginPath();
  ctx.moveTo(cx, cy);
  ctx.lineTo(cx + Math.cos(needle) * r * 0.7, cy + Math.sin(needle) * r * 0.7);
  ctx.stroke();
  ctx.fillStyle = PALETTE.coral;
  ctx.beginPath();
  ctx.arc(cx, cy, 24, 0, Math.PI * 2);
  ctx.fill();

  ctx.fillStyle = PALETTE.navy;
  ctx.textAlign = 'center';
  ctx.font = `800 ${Math.round(width * 0.085)}px Montserrat`;
  ctx.fillText('MESURA', cx, height * 0.77);
  ctx.fillStyle = PALETTE.slate;
  ctx.font = `500 ${Math.round(width * 0.034)}px Inter`;
  ctx.fillText('INSTRUMENTS DE PRÉCISION', cx, height * 0.83);
};

/** Draws the default map picture, a stylised district with a river, a park, avenues and a pin. */
const drawDefaultMap: Draw = (ctx, width, height) => {
  const random = seededRandom(21);
  ctx.fillStyle = '#f2ede4';
  ctx.fillRect(0, 0, width, height);

  // City blocks on a slightly rotated grid.
  ctx.save();
  ctx.translate(width / 2, height / 2);
  ctx.rotate(-0.35);
  for (let gx = -11; gx < 11; gx++) {
    for (let gy = -9; gy < 9; gy++) {
      const w = 52 + random() * 26;
      const h = 40 + random() * 22;
      ctx.fillStyle = random() < 0.12 ? '#e4ddd0' : '#ebe5da';
      roundedRect(ctx, gx * 82 + 6, gy * 66 + 6, w, h, 4);
      ctx.fill();
    }
  }
  ctx.restore();

  // A park.
  ctx.fillStyle = PALETTE.park;
  roundedRect(ctx, width * 0.06, height * 0.1, width * 0.22, height * 0.26, 18);
  ctx.fill();

  // The river, a wide curved band.
  ctx.strokeStyle = PALETTE.sky;
  ctx.lineWidth = 46;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(-40, height * 0.82);
  ctx.bezierCurveTo(width * 0.3, height * 0.62, width * 0.55, height * 1.02, width + 40, height * 0.7);
  ctx.stroke();

  // Avenues: white with a light outline, the main ones wider.
  const avenues: [number, number, number, number, number][] = [
    [-20, height * 0.2, width + 20, height * 0.58, 16],
    [width * 0.3, -20, width * 0.62, height + 20, 16],
    [width * 0.85, -20, width * 0.15, height + 20, 11],
    [-20, height * 0.55, width + 20, height * 0.18, 9],
  ];
  for (const [x1, y1, x2, y2, w] of avenues) {
    ctx.strokeStyle = '#d9d1c3';
    ctx.lineWidth = w + 4;
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x2, y2);
    ctx.stroke();
    ctx.strokeStyle = PALETTE.white;
    ctx.lineWidth = w;
    ctx.stroke();
  }

  // The pin at the centre, with a soft ground shadow.
  const px = width / 2;
  const py = height / 2;
  ctx.fillStyle = 'rgba(29, 35, 64, 0.18)';
  ctx.beginPath();
  ctx.ellipse(px, py + 4, 22, 8, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = PALETTE.coral;
  ctx.beginPath();
  ctx.moveTo(px, py);
  ctx.bezierCurveTo(px - 10, py - 22, px - 30, py - 38, px - 30, py - 62);
  ctx.arc(px, py - 62, 30, Math.PI, 0);
  ctx.bezierCurveTo(px + 30, py - 38, px + 10, py - 22, px, py);
  ctx.closePath();
  ctx.fill();
  ctx.fillStyle = PALETTE.white;
  ctx.beginPath();
  ctx.arc(px, py - 62, 11, 0, Math.PI * 2);
  ctx.fill();
};

/** Draws the rings shown around the recipient's photo. */
const drawPhotoRing: Draw = (ctx, width, height) => {
  const cx = width / 2;
  const cy = height / 2;
  ctx.strokeStyle = PALETTE.coral;
  ctx.lineWidth = 6;
  ctx.beginPath();
  ctx.arc(cx, cy, width / 2 - 30, 0, Math.PI * 2);
  ctx.stroke();
  ctx.strokeStyle = 'rgba(58, 63, 158, 0.35)';
  ctx.lineWidth = 3;
  ctx.setLineDash([4, 14]);
  ctx.beginPath();
  ctx.arc(cx, cy, width / 2 - 6, 0, Math.PI * 2);
  ctx.stroke();
};

/**
 * Draws a white card with a soft shadow. Its white area starts at (28, 20) and is 664x464, so a
 * 640x440 map placed 40 px right and 32 px down of the image's corner gets a 12 px white border.
 */
const drawCard: Draw = (ctx, width) => {
  ctx.shadowColor = 'rgba(29, 35, 64, 0.28)';
  ctx.shadowBlur = 26;
  ctx.shadowOffsetY = 10;
  ctx.fillStyle = PALETTE.white;
  roundedRect(ctx, 28, 20, width - 56, 464, 30);
  ctx.fill();
};

/** Draws the call-to-action button, a coral pill centred in its image so that a text layer with the same box is centred on it. */
const drawButton: Draw = (ctx, width, height) => {
  ctx.shadowColor = 'rgba(255, 122, 89, 0.45)';
  ctx.shadowBlur = 16;
  ctx.shadowOffsetY = 3;
  const gradient = ctx.createLinearGradient(0, 0, width, 0);
  gradient.addColorStop(0, PALETTE.coral);
  gradient.addColorStop(1, '#ff946b');
  ctx.fillStyle = gradient;
  roundedRect(ctx, 24, 24, width - 48, height - 48, (height - 48) / 2);
  ctx.fill();
};

/** Fills a black frame, faded over the picture to open and close the video. */
const drawBlack: Draw = (ctx, width, height) => {
  ctx.fillStyle = '#000000';
  ctx.fillRect(0, 0, width, height);
};

/** Draws a soft elliptical peach glow that lifts the logo and the name off the dark background. */
const drawHalo: Draw = (ctx, width, height) => {
  ctx.scale(1, height / width);
  const glow = ctx.createRadialGradient(width / 2, width / 2, 0, width / 2, width / 2, width / 2);
  glow.addColorStop(0, 'rgba(255, 179, 138, 0.30)');
  glow.addColorStop(0.45, 'rgba(255, 179, 138, 0.12)');
  glow.addColorStop(1, 'rgba(255, 179, 138, 0)');
  ctx.fillStyle = glow;
  ctx.fillRect(0, 0, width, width);
};

/** Draws a short coral bar that underlines titles. */
const drawAccentBar: Draw = (ctx, width, height) => {
  ctx.fillStyle = PALETTE.coral;
  roundedRect(ctx, 0, 0, width, height, height / 2);
  ctx.fill();
};

export const IMAGES: { file: string; width: number; height: number; draw: Draw }[] = [
  { file: 'images/logo-light.png', width: 560, height: 120, draw: drawLogo(PALETTE.white, PALETTE.peach) },
  { file: 'images/logo-small-dark.png', width: 340, height: 96, draw: drawCompactLogo(PALETTE.ink) },
  { file: 'images/logo-small-light.png', width: 340, height: 96, draw: drawCompactLogo(PALETTE.white) },
  { file: 'images/image_1.png', width: 720, height: 720, draw: drawPortrait },
  { file: 'images/image_2.png', width: 720, height: 720, draw: drawCompanyLogo },
  { file: 'images/map-default.png', width: 640, height: 440, draw: drawDefaultMap },
  { file: 'images/photo-ring.png', width: 440, height: 440, draw: drawPhotoRing },
  { file: 'images/map-card.png', width: 720, height: 530, draw: drawCard },
  { file: 'images/button.png', width: 480, height: 128, draw: drawButton },
  { file: 'images/halo.png', width: 960, height: 540, draw: drawHalo },
  { file: 'images/black.png', width: 1280, height: 720, draw: drawBlack },
  { file: 'images/accent-bar.png', width: 96, height: 8, draw: drawAccentBar },
];

/** Registers the template's fonts with canvas (the logos use them) and writes every image. */
export async function writeImages(): Promise<void> {
  for (const font of FONT_FILES) GlobalFonts.registerFromPath(templatePath(font.target), font.family);
  for (const image of IMAGES) await writePng(image.file, image.width, image.height, image.draw);
}
