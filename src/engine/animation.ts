/**
 * Enter and leave animations as pieces of an ffmpeg filter graph. Every piece is built from numbers
 * only: fades change the alpha plane of a layer's frames, slides move the overlay position with an
 * expression of the time `t`, and scales draw each animated frame at its own size.
 *
 * Slides name the direction of motion: `slide-left` enters from the right moving left and leaves
 * moving left; `slide-up` enters from below moving up and leaves moving up.
 */
import type { Animation } from '../template/schema.ts';
import type { Placement, Timing } from './rasterize.ts';

/** Formats a number for a filter graph; throws on NaN and infinities so they never reach ffmpeg. */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`Not a finite number in a filter graph: ${value}`);
  return String(Math.round(value * 1e6) / 1e6);
}

/** The `fade` filters of a layer's in and out animations, on timestamps in seconds from the scene start. */
export function fadeFilters(timing: Timing, fps: number): string[] {
  const filters: string[] = [];
  if (timing.in?.type === 'fade') {
    // alpha=1 fades the alpha plane only, so the layer fades against what is beneath it.
    filters.push(`fade=t=in:st=${num(timing.startFrame / fps)}:d=${num(timing.in.duration)}:alpha=1`);
  }
  if (timing.out?.type === 'fade') {
    const start = timing.endFrame / fps - timing.out.duration;
    filters.push(`fade=t=out:st=${num(start)}:d=${num(timing.out.duration)}:alpha=1`);
  }
  return filters;
}

/** The overlay's `x` and `y` expressions: the placement plus the offset of any slide. */
export function overlayPosition(place: Placement, timing: Timing, fps: number): { x: string; y: string } {
  const x = [num(place.x)];
  const y = [num(place.y)];
  const start = timing.startFrame / fps;
  const end = timing.endFrame / fps;
  for (const [phase, animation] of [
    ['in', timing.in],
    ['out', timing.out],
  ] as const) {
    if (animation === undefined || !animation.type.startsWith('slide-')) continue;
    const horizontal = animation.type === 'slide-left' || animation.type === 'slide-right';
    const distance = animation.distance ?? (horizontal ? place.width : place.height);
    // +1 moves right or down; the offset is where the layer is relative to its box.
    const motion = animation.type === 'slide-right' || animation.type === 'slide-down' ? 1 : -1;
    const d = num(animation.duration);
    const term =
      phase === 'in'
        ? // Starts `distance` before its box along the motion and eases out (quadratic) into place.
          `${num(-motion * distance)}*pow(1-clip((t-${num(start)})/${d},0,1),2)`
        : // Eases in (quadratic) from its box to `distance` along the motion.
          `${num(motion * distance)}*pow(clip((t-${num(end - animation.duration)})/${d},0,1),2)`;
    (horizontal ? x : y).push(term);
  }
  return { x: x.join('+'), y: y.join('+') };
}

/** True when the overlay position changes with time, so ffmpeg must evaluate it on every frame. */
export function hasSlide(timing: Timing): boolean {
  return [timing.in, timing.out].some((a) => a?.type.startsWith('slide-'));
}

/**
 * Frames of a scale animation and the size of the layer in each, as a fraction of its full size.
 * The fractions never reach 0 or 1: the first in-frame is already visible, the last out-frame not yet gone.
 */
export function scaleFrames(timing: Timing, fps: number): { inFrames: number[]; outFrames: number[] } {
  const visible = timing.endFrame - timing.startFrame;
  const inCount = timing.in?.type === 'scale' ? Math.min(visible, frameCount(timing.in, fps)) : 0;
  const outCount =
    timing.out?.type === 'scale' ? Math.min(visible - inCount, frameCount(timing.out, fps)) : 0;
  const inFrames = Array.from({ length: inCount }, (_, i) => easeOut((i + 1) / (inCount + 1)));
  const outFrames = Array.from({ length: outCount }, (_, i) => 1 - easeIn((i + 1) / (outCount + 1)));
  return { inFrames, outFrames };
}

function frameCount(animation: Animation, fps: number): number {
  return Math.max(1, Math.round(animation.duration * fps));
}

function easeOut(p: number): number {
  return 1 - (1 - p) * (1 - p);
}

function easeIn(p: number): number {
  return p * p;
}
