/**
 * Generates the two motion backgrounds of the welcome template: a dark one (brand night blue with
 * drifting light blobs and bokeh) and a light one (warm cream with soft coloured blobs and rings).
 * Frames are drawn with @napi-rs/canvas and piped raw to the bundled ffmpeg.
 *
 * Every motion is periodic in the clip's length, so a clip loops without a jump when a scene
 * outlasts it.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { FPS, HEIGHT, PALETTE, WIDTH, runFfmpeg, seededRandom, templatePath } from './common.ts';

interface Blob {
  color: string;
  alpha: number;
  radius: number;
  /** Centre of the path, as fractions of the frame. */
  cx: number;
  cy: number;
  /** Half-extent of the path in pixels. */
  ax: number;
  ay: number;
  /** Whole turns per clip on each axis, so the loop is seamless. */
  fx: number;
  fy: number;
  phase: number;
}

interface Bokeh {
  x: number;
  y: number;
  radius: number;
  alpha: number;
  color: string;
  /** Whole trips across the frame per clip. */
  trips: number;
  sway: number;
  phase: number;
}

export interface BackgroundDesign {
  file: string;
  seconds: number;
  /** Colour stops of the base diagonal gradient, top left to bottom right. */
  base: string[];
  blobs: Blob[];
  bokeh: Bokeh[];
  /** Thin rings drawn above the blobs (the light clip's ornament). */
  rings: { cx: number; cy: number; radius: number; color: string; turns: number }[];
}

function makeBokeh(seed: number, count: number, colors: string[], maxAlpha: number): Bokeh[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => ({
    x: random() * WIDTH,
    y: random() * HEIGHT,
    radius: 6 + random() ** 2 * 46,
    alpha: 0.04 + random() * maxAlpha,
    color: colors[Math.floor(random() * colors.length)] as string,
    trips: 1,
    sway: 10 + random() * 40,
    phase: random() * Math.PI * 2,
  }));
}

export const DARK_BACKGROUND: BackgroundDesign = {
  file: 'backgrounds/dark.mp4',
  seconds: 16,
  base: [PALETTE.night, PALETTE.navy, '#27306f'],
  blobs: [
    {
      color: PALETTE.indigo,
      alpha: 0.55,
      radius: 520,
      cx: 0.25,
      cy: 0.3,
      ax: 180,
      ay: 90,
      fx: 1,
      fy: 2,
      phase: 0,
    },
    {
      color: PALETTE.coral,
      alpha: 0.22,
      radius: 460,
      cx: 0.8,
      cy: 0.75,
      ax: 140,
      ay: 110,
      fx: 1,
      fy: 1,
      phase: 2,
    },
    {
      color: '#2f7fc1',
      alpha: 0.28,
      radius: 420,
      cx: 0.65,
      cy: 0.15,
      ax: 200,
      ay: 70,
      fx: 2,
      fy: 1,
      phase: 4,
    },
  ],
  bokeh: makeBokeh(7, 26, [PALETTE.white, PALETTE.peach, PALETTE.sky], 0.12),
  rings: [],
};

export const LIGHT_BACKGROUND: BackgroundDesign = {
  file: 'backgrounds/light.mp4',
  seconds: 14,
  base: [PALETTE.cream, PALETTE.sand, '#f3e6d8'],
  blobs: [
    {
      color: PALETTE.peach,
      alpha: 0.35,
      radius: 480,
      cx: 0.9,
      cy: 0.15,
      ax: 120,
      ay: 80,
      fx: 1,
      fy: 1,
      phase: 1,
    },
    {
      color: PALETTE.sky,
      alpha: 0.35,
      radius: 520,
      cx: 0.05,
      cy: 0.95,
      ax: 140,
      ay: 60,
      fx: 1,
      fy: 2,
      phase: 3,
    },
    {
      color: '#ffd9c2',
      alpha: 0.4,
      radius: 360,
      cx: 0.45,
      cy: 0.55,
      ax: 220,
      ay: 120,
      fx: 1,
      fy: 1,
      phase: 5,
    },
  ],
  bokeh: makeBokeh(11, 14, [PALETTE.white, PALETTE.peach], 0.25),
  rings: [
    { cx: 0.93, cy: 0.85, radius: 170, color: 'rgba(255, 122, 89, 0.22)', turns: 1 },
    { cx: 0.93, cy: 0.85, radius: 230, color: 'rgba(58, 63, 158, 0.10)', turns: -1 },
    { cx: 0.04, cy: 0.1, radius: 120, color: 'rgba(58, 63, 158, 0.12)', turns: 1 },
  ],
};

function drawFrame(ctx: SKRSContext2D, design: BackgroundDesign, t: number): void {
  const angle = (2 * Math.PI * t) / design.seconds;

  const base = ctx.createLinearGradient(0, 0, WIDTH, HEIGHT);
  design.base.forEach((color, i) => base.addColorStop(i / (design.base.length - 1), color));
  ctx.globalAlpha = 1;
  ctx.fillStyle = base;
  ctx.fillRect(0, 0, WIDTH, HEIGHT);

  for (const blob of design.blobs) {
    const x = blob.cx * WIDTH + blob.ax * Math.sin(blob.fx * angle + blob.phase);
    const y = blob.cy * HEIGHT + blob.ay * Math.cos(blob.fy * angle + blob.phase);
    const glow = ctx.createRadialGradient(x, y, 0, x, y, blob.radius);
    glow.addColorStop(0, blob.color);
    glow.addColorStop(1, `${blob.color}00`);
    ctx.globalAlpha = blob.alpha;
    ctx.fillStyle = glow;
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
  }

  for (const ring of design.rings) {
    const x = ring.cx * WIDTH;
    const y = ring.cy * HEIGHT;
    ctx.globalAlpha = 1;
    ctx.strokeStyle = ring.color;
    ctx.lineWidth = 3;
    ctx.setLineDash([2, 14]);
    ctx.lineDashOffset = 0;
    ctx.save();
    ctx.translate(x, y);
    ctx.rotate(ring.turns * angle);
    ctx.beginPath();
    ctx.arc(0, 0, ring.radius, 0, Math.PI * 2);
    ctx.stroke();
    ctx.restore();
    ctx.setLineDash([]);
  }

  for (const dot of design.bokeh) {
    const span = HEIGHT + 2 * dot.radius;
    // Rises `trips` whole heights per clip, so the position at the clip's end equals the start.
    const rise = (dot.trips * span * t) / design.seconds;
    const y = ((((dot.y - rise + dot.radius) % span) + span) % span) - dot.radius;
    const x = dot.x + dot.sway * Math.sin(angle + dot.phase);
    const soft = ctx.createRadialGradient(x, y, dot.radius * 0.55, x, y, dot.radius);
    soft.addColorStop(0, dot.color);
    soft.addColorStop(1, `${dot.color}00`);
    ctx.globalAlpha = dot.alpha;
    ctx.fillStyle = soft;
    ctx.beginPath();
    ctx.arc(x, y, dot.radius, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}

function* frames(design: BackgroundDesign): Generator<Buffer> {
  const canvas = createCanvas(WIDTH, HEIGHT);
  const ctx = canvas.getContext('2d');
  const count = design.seconds * FPS;
  for (let i = 0; i < count; i++) {
    drawFrame(ctx, design, i / FPS);
    const pixels = ctx.getImageData(0, 0, WIDTH, HEIGHT).data;
    yield Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  }
}

/** Draws one background clip and encodes it to H.264 in the template folder. */
export async function writeBackground(design: BackgroundDesign): Promise<void> {
  await runFfmpeg({
    input: frames(design),
    args: [
      ...['-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${WIDTH}x${HEIGHT}`, '-r', String(FPS), '-i', '-'],
      ...['-c:v', 'libx264', '-preset', 'slow', '-crf', '22', '-profile:v', 'high', '-pix_fmt', 'yuv420p'],
      // A keyframe every second, and none elsewhere, so the engine can seek to any scene offset cheaply.
      ...['-g', String(FPS), '-keyint_min', String(FPS), '-sc_threshold', '0'],
      // Caps the bitrate of busy moments so the template folder stays small.
      ...['-maxrate', '2500k', '-bufsize', '5000k'],
      ...['-movflags', '+faststart', '-an', templatePath(design.file)],
    ],
  });
}
