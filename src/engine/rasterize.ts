/**
 * Raster stage: draws every text, image and map layer of every segment into a PNG file in the render's
 * private folder, and lists each segment's visuals in drawing order. User text becomes pixels here, so
 * the filter graphs built later contain only numbers and the paths of these files.
 */
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { placeholders, type Template } from '../template/load.ts';
import type { Animation, Layer } from '../template/schema.ts';
import { throwIfCancelled } from './ffmpeg.ts';
import type { Segment } from './plan.ts';
import { loadFonts, rasterizeImage, rasterizeText } from './raster/index.ts';
import type { ClipInput, Fit, ResolvedBackground, ResolvedLayer } from './resolve.ts';
import { overlapsWindow, segmentWindow } from './window.ts';
import type { Workspace } from './workspace.ts';

/** Where a visual is drawn, in whole output pixels. */
export interface Placement {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** When a visual shows, in frames from the start of its scene, and how it enters and leaves. */
export interface Timing {
  startFrame: number;
  /** Exclusive. */
  endFrame: number;
  opacity: number;
  in?: Animation;
  out?: Animation;
}

export type Visual =
  | { kind: 'still'; file: string; place: Placement; timing: Timing }
  | { kind: 'clip'; clip: ClipInput; fit: Fit; fill: 'loop' | 'freeze'; place: Placement; timing: Timing };

export type BackgroundVisual =
  /** A PNG of exactly the output size, without transparency. */
  { kind: 'still'; file: string } | Extract<ResolvedBackground, { kind: 'video' }>;

export interface SegmentVisuals {
  segment: Segment;
  background: BackgroundVisual;
  /** Bottom to top. */
  visuals: Visual[];
}

export interface RasterContext {
  template: Template;
  workspace: Workspace;
}

/**
 * Draws the segments one after another, in `order` (positions in `segments`), and returns one
 * promise per segment, in the order of `segments`. The caller starts encoding each segment as soon
 * as it is drawn: drawing is mostly synchronous canvas work, so drawing one segment at a time lets
 * the first ffmpeg runs start while the later segments are drawn.
 */
export function rasterizeSegments(
  segments: readonly Segment[],
  context: RasterContext,
  onSegmentDone?: (done: number) => void,
  order: readonly number[] = segments.map((_, position) => position),
): Promise<SegmentVisuals>[] {
  const fonts = loadFonts(context.template);
  const drawn = new Map<number, Promise<SegmentVisuals>>();
  let previous: Promise<unknown> = Promise.resolve();
  order.forEach((position, done) => {
    const segment = segments[position] as Segment;
    const drawing = previous.then(async () => {
      const result = await rasterizeSegment(segment, await fonts, context);
      onSegmentDone?.(done + 1);
      return result;
    });
    drawn.set(position, drawing);
    // A failed segment stops the ones after it; its own promise reports the error.
    previous = drawing;
  });
  return segments.map((_, position) => drawn.get(position) as Promise<SegmentVisuals>);
}

type Fonts = Awaited<ReturnType<typeof loadFonts>>;

async function rasterizeSegment(
  segment: Segment,
  fonts: Fonts,
  context: RasterContext,
): Promise<SegmentVisuals> {
  const { fps, width, height } = context.template.output;
  const scene = segment.scene;
  // Pieces of one split scene are drawn side by side, so each has its own file names.
  const span = segment.sceneFrame ? `-f${segment.sceneFrame}` : '';
  const prefix = context.workspace.file(`scene${segment.index}${span}`);
  const window = segmentWindow(segment);

  const background = await rasterizeBackground(scene.background, { width, height, file: `${prefix}-bg.png` });
  // Sorting by z is stable, so equal z keeps the order of the list.
  const ordered = scene.layers
    .map((layer, position) => ({ layer, position }))
    .sort((a, b) => a.layer.layer.z - b.layer.layer.z);
  const visuals = await Promise.all(
    ordered.map(({ layer, position }) => {
      const timing = layerTiming(layer.layer, scene.scene.duration, fps);
      // A layer that shows no frame of a split scene's span is not drawn at all.
      if (!overlapsWindow(timing, window)) return Promise.resolve(undefined);
      // Tracked, so that when one layer fails the others finish writing their files before the
      // workspace is removed; otherwise the removal can fail with ENOTEMPTY and hide the first error.
      return context.workspace.track(
        rasterizeLayer(layer, {
          fonts,
          timing,
          file: `${prefix}-layer${position}.png`,
          context,
          key: `${context.template.dir}\0${context.template.version}\0${segment.index}\0${position}`,
        }),
      );
    }),
  );
  throwIfCancelled(context.workspace.signal);
  return { segment, background, visuals: visuals.filter((v) => v !== undefined) };
}

async function rasterizeBackground(
  background: ResolvedBackground,
  target: { width: number; height: number; file: string },
): Promise<BackgroundVisual> {
  if (background.kind === 'video') return background;
  if (background.kind === 'color') {
    // A PNG rather than ffmpeg's color source, which rounds the colour through BT.601 YUV (#3060c0
    // came out as #2e5dbd); the frame is converted to the output's colour space like every image.
    const rgb = `#${background.color.slice(1, 7)}`;
    await sharp({ create: { width: target.width, height: target.height, channels: 3, background: rgb } })
      .png({ compressionLevel: 1 })
      .toFile(target.file);
    return { kind: 'still', file: target.file };
  }
  const png = await rasterizeImage({
    file: background.file,
    width: target.width,
    height: target.height,
    fit: background.fit,
    radius: 0,
  });
  // `contain` leaves transparent bars; the video has no alpha, so they become black here, once,
  // instead of in every frame.
  await sharp(png).flatten({ background: '#000000' }).png({ compressionLevel: 1 }).toFile(target.file);
  return { kind: 'still', file: target.file };
}

interface LayerTarget {
  fonts: Fonts;
  timing: Timing;
  file: string;
  context: RasterContext;
  /** Names the layer among all templates and versions, for the cache of static rasters. */
  key: string;
}

interface Raster {
  png: Buffer;
  width: number;
  height: number;
}

/**
 * The rasters of layers that use no variable, kept between renders: they look the same in every
 * Vidata of a template version, and a personalized span still draws the static layers it shows
 * (logos, titles, cards). The template version hashes template.json and every file it uses, so it
 * covers a layer's text, style, fonts and image. Least recently used rasters go first past the limit.
 */
const STATIC_RASTERS = new Map<string, Raster>();
const STATIC_RASTER_BYTES_LIMIT = 32 * 1024 * 1024;
let staticRasterBytes = 0;
/** Static rasters being drawn, so that renders side by side draw each one once. */
const DRAWING = new Map<string, Promise<Raster>>();

async function staticRaster(key: string, draw: () => Promise<Raster>): Promise<Raster> {
  const cached = STATIC_RASTERS.get(key);
  if (cached !== undefined) {
    // Moved to the end of the map's order, which is the order of eviction.
    STATIC_RASTERS.delete(key);
    STATIC_RASTERS.set(key, cached);
    return cached;
  }
  const drawing = DRAWING.get(key);
  if (drawing !== undefined) return drawing;
  const raster = draw();
  DRAWING.set(key, raster);
  try {
    const drawn = await raster;
    keepStaticRaster(key, drawn);
    return drawn;
  } finally {
    // A failed drawing is not kept: the next render draws the layer again and reports its own error.
    DRAWING.delete(key);
  }
}

function keepStaticRaster(key: string, raster: Raster): void {
  STATIC_RASTERS.set(key, raster);
  staticRasterBytes += raster.png.length;
  for (const [oldKey, old] of STATIC_RASTERS) {
    if (staticRasterBytes <= STATIC_RASTER_BYTES_LIMIT) break;
    STATIC_RASTERS.delete(oldKey);
    staticRasterBytes -= old.png.length;
  }
}

async function rasterizeLayer(resolved: ResolvedLayer, target: LayerTarget): Promise<Visual | undefined> {
  const { layer } = resolved;
  const place = boxPlacement(layer.box);
  const { timing, file } = target;
  switch (resolved.type) {
    case 'text': {
      // A text whose placeholders all came out empty draws nothing.
      if (resolved.text.trim() === '') return undefined;
      const drawText = async () => {
        const drawn = await rasterizeText({
          text: resolved.text,
          style: resolved.layer.style,
          box: resolved.layer.box,
          fonts: target.fonts,
          field: layerField(resolved.layer.text),
        });
        return { png: drawn.png, width: drawn.width, height: drawn.height };
      };
      const isStatic = placeholders(resolved.layer.text).length === 0;
      const drawn = isStatic ? await staticRaster(target.key, drawText) : await drawText();
      await writeFile(file, drawn.png);
      // The raster has the box's size rounded up, drawn from the box's corner.
      return { kind: 'still', file, place: { ...place, width: drawn.width, height: drawn.height }, timing };
    }
    case 'image':
    case 'map': {
      const drawImage = async () => {
        const png = await rasterizeImage({
          file: resolved.type === 'map' ? await resolved.file() : resolved.file,
          width: place.width,
          height: place.height,
          fit: resolved.type === 'image' ? resolved.fit : 'cover',
          focalPoint: resolved.type === 'image' ? resolved.focalPoint : undefined,
          radius: resolved.layer.radius,
          field: resolved.layer.variable === undefined ? undefined : `variables.${resolved.layer.variable}`,
        });
        return { png, width: place.width, height: place.height };
      };
      const isStatic = resolved.layer.variable === undefined;
      const drawn = isStatic ? await staticRaster(target.key, drawImage) : await drawImage();
      await writeFile(file, drawn.png);
      return { kind: 'still', file, place, timing };
    }
    case 'video':
      return { kind: 'clip', clip: resolved.clip, fit: resolved.fit, fill: resolved.fill, place, timing };
  }
}

function boxPlacement(box: Layer['box']): Placement {
  return {
    x: Math.round(box.x),
    y: Math.round(box.y),
    width: Math.max(1, Math.round(box.w)),
    height: Math.max(1, Math.round(box.h)),
  };
}

/** When a layer shows, in frames of its scene; split.ts cuts scenes on these frames. */
export function layerTiming(layer: Layer, sceneDuration: number, fps: number): Timing {
  const startFrame = Math.round(layer.start * fps);
  const endFrame = Math.max(startFrame + 1, Math.round((layer.end ?? sceneDuration) * fps));
  const timing: Timing = { startFrame, endFrame, opacity: layer.opacity };
  if (layer.in) timing.in = layer.in;
  if (layer.out) timing.out = layer.out;
  return timing;
}

/** The input field an error about a text layer names: its first variable, as the caller sent it. */
function layerField(text: string): string | undefined {
  const name = placeholders(text)[0];
  return name === undefined ? undefined : `variables.${name}`;
}
