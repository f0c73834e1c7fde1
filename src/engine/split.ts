/**
 * Sub-scene splitting: a scene with personalized layers is cut at the span where those layers show,
 * so the frames before and after it look the same in every Vidata and can come from the segment
 * cache. Every piece is encoded as its own chunk, which starts with an IDR frame: the cuts are
 * keyframe-aligned by construction and fall on whole frames, so the chunks still join by stream copy.
 */
import { placeholders } from '../template/load.ts';
import type { RenderPlan, Segment } from './plan.ts';
import { layerTiming } from './rasterize.ts';
import type { ResolvedLayer } from './resolve.ts';

/**
 * Shortest static span worth its own chunk, in seconds. Each chunk costs an IDR frame (a few KB at
 * 720p) and an ffmpeg start on a cache miss, so a shorter span is encoded with the personalized one.
 */
export const MIN_STATIC_SPAN_SECONDS = 0.3;

/** Returns the plan with each dynamic segment cut into static and personalized spans. */
export function splitPersonalizedSpans(plan: RenderPlan): RenderPlan {
  const minFrames = Math.max(1, Math.round(MIN_STATIC_SPAN_SECONDS * plan.fps));
  return {
    ...plan,
    segments: plan.segments.flatMap((segment) => splitSegment(segment, plan.fps, minFrames)),
  };
}

/** Returns the frames, counted from the scene's start, where any personalized layer of the segment shows. */
export function personalizedSpan(segment: Segment, fps: number): { first: number; end: number } | undefined {
  let first = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const layer of segment.scene.layers) {
    if (!usesVariable(layer)) continue;
    const timing = layerTiming(layer.layer, segment.scene.scene.duration, fps);
    first = Math.min(first, timing.startFrame);
    end = Math.max(end, timing.endFrame);
  }
  if (end === 0) return undefined;
  return { first: Math.max(0, first), end: Math.min(segment.frames, end) };
}

function splitSegment(segment: Segment, fps: number, minFrames: number): Segment[] {
  if (segment.static || (segment.sceneFrame ?? 0) !== 0) return [segment];
  const span = personalizedSpan(segment, fps);
  if (span === undefined) return [segment];
  const before = span.first >= minFrames ? span.first : 0;
  const after = segment.frames - span.end >= minFrames ? span.end : segment.frames;
  if (before === 0 && after === segment.frames) return [segment];
  const pieces: Segment[] = [];
  if (before > 0) pieces.push(piece(segment, 0, before, true));
  pieces.push(piece(segment, before, after - before, false));
  if (after < segment.frames) pieces.push(piece(segment, after, segment.frames - after, true));
  return pieces;
}

function piece(segment: Segment, sceneFrame: number, frames: number, isStatic: boolean): Segment {
  return {
    ...segment,
    static: isStatic,
    variables: isStatic ? [] : segment.variables,
    sceneFrame,
    startFrame: segment.startFrame + sceneFrame,
    frames,
    cacheKey: { ...segment.cacheKey, sceneFrame, frames },
  };
}

function usesVariable(layer: ResolvedLayer): boolean {
  if (layer.type === 'text') return placeholders(layer.layer.text).length > 0;
  return layer.layer.variable !== undefined;
}
