/**
 * The frames of its scene that a segment shows. A segment is a whole scene, or after splitting (see
 * split.ts) a span of it: the frames before the personalized layers appear, the frames where they
 * show, or the frames after they have gone.
 */
import type { Segment } from './plan.ts';
import type { Timing } from './rasterize.ts';

export interface SceneWindow {
  /** First frame of the span, counted from the scene's start. */
  first: number;
  /** Exclusive. */
  end: number;
}

export function segmentWindow(segment: Pick<Segment, 'frames' | 'sceneFrame'>): SceneWindow {
  const first = segment.sceneFrame ?? 0;
  return { first, end: first + segment.frames };
}

/** True when the span starts after the scene's first frame, so the graph must shift its timestamps. */
export function isPartial(window: SceneWindow): boolean {
  return window.first > 0;
}

/** True when a layer shows at least one frame of the span. */
export function overlapsWindow(
  timing: Pick<Timing, 'startFrame' | 'endFrame'>,
  window: SceneWindow,
): boolean {
  return timing.startFrame < window.end && timing.endFrame > window.first;
}

/**
 * Returns the frames of a layer's own stream (counted from its first visible frame) in the span:
 * `skip` frames are dropped at the start, and no more than `keep` frames are kept.
 */
export function layerFramesInWindow(
  timing: Pick<Timing, 'startFrame' | 'endFrame'>,
  window: SceneWindow,
): { skip: number; keep: number } {
  const skip = Math.max(0, window.first - timing.startFrame);
  const last = Math.min(timing.endFrame, window.end);
  return { skip, keep: Math.max(0, last - timing.startFrame) };
}
