/**
 * Builds the ffmpeg arguments that draw one segment: the background, then each visual overlaid in
 * order with its timing and animations. The filter graph contains only numbers and input labels;
 * file paths are separate `-i` arguments.
 *
 * A still layer is one PNG frame decoded once and repeated by the `loop` filter, which only passes
 * references to the same frame. Feeding it with `-loop 1` would decode the PNG again for every frame.
 */
import path from 'node:path';
import { fadeFilters, hasSlide, num, overlayPosition, scaleFrames } from './animation.ts';
import { clipColorFilters, RGB_TO_OUTPUT } from './color.ts';
import type { ClipInput, Fit } from './resolve.ts';
import type { BackgroundVisual, Placement, SegmentVisuals, Timing, Visual } from './rasterize.ts';
import { isPartial, layerFramesInWindow, overlapsWindow, segmentWindow, type SceneWindow } from './window.ts';

export interface OutputFormat {
  width: number;
  height: number;
  fps: number;
}

export interface ComposedSegment {
  /** Input arguments (`-i` and their options), in input order. */
  inputArgs: string[];
  filterGraph: string;
  /** Label of the graph's final video output, without brackets. */
  output: string;
}

export interface ComposeOptions {
  /** Threads of each clip's decoder; absent lets ffmpeg choose. */
  decoderThreads?: number;
}

export function composeSegment(
  segment: SegmentVisuals,
  format: OutputFormat,
  options: ComposeOptions = {},
): ComposedSegment {
  const graph = new GraphBuilder(format, options);
  const frames = segment.segment.frames;
  const window = segmentWindow(segment.segment);
  if (isPartial(window)) return composeWindow(graph, segment, window);
  let base = graph.background(segment.background, frames);
  segment.visuals.forEach((visual, index) => {
    base = graph.overlay(base, visual, index);
  });
  return { inputArgs: graph.inputArgs, filterGraph: graph.chains.join(';'), output: base };
}

/**
 * Draws a span of a scene that starts after its first frame (split.ts). The background starts at
 * the span and every stream keeps the scene's timestamps, so fades and slides, which are written in
 * scene time, draw the same frames as in the whole scene; layers drop the frames before the span,
 * and the output is numbered from zero at the end.
 */
function composeWindow(graph: GraphBuilder, segment: SegmentVisuals, window: SceneWindow): ComposedSegment {
  const { fps } = graph.format;
  let base = graph.background(segment.background, segment.segment.frames, window.first);
  segment.visuals.forEach((visual, index) => {
    if (!overlapsWindow(visual.timing, window)) return;
    base = graph.overlay(base, visual, index, layerFramesInWindow(visual.timing, window));
  });
  graph.chains.push(`[${base}]settb=1/${fps},setpts=N[span]`);
  return { inputArgs: graph.inputArgs, filterGraph: graph.chains.join(';'), output: 'span' };
}

class GraphBuilder {
  readonly inputArgs: string[] = [];
  readonly chains: string[] = [];
  readonly #format: OutputFormat;
  readonly #options: ComposeOptions;
  #inputs = 0;

  constructor(format: OutputFormat, options: ComposeOptions) {
    this.#format = format;
    this.#options = options;
  }

  get format(): OutputFormat {
    return this.#format;
  }

  /** `first`: the scene frame the background starts on; its frames keep that scene time. */
  background(background: BackgroundVisual, frames: number, first = 0): string {
    const base = this.#backgroundFrom(background, frames, first);
    if (first === 0) return base;
    this.chains.push(`[${base}]setpts=PTS+${first}[bgspan]`);
    return 'bgspan';
  }

  #backgroundFrom(background: BackgroundVisual, frames: number, first: number): string {
    const { width, height, fps } = this.#format;
    switch (background.kind) {
      case 'still': {
        const input = this.#addInput([], background.file);
        this.chains.push(`[${input}:v]${RGB_TO_OUTPUT},format=yuv420p,${repeatFrame(frames, fps)}[bg]`);
        return 'bg';
      }
      case 'video': {
        // A span of a scene seeks straight to its first frame when the clip plays through it. When
        // the clip loops or freezes before the span ends, the span reads the clip as the whole scene
        // does and drops the frames before it: a loop restarted from another point makes the fps
        // filter pick other frames (measured 10 frames off after the loop on the basic fixture).
        const seek = first > 0 && background.offset + (first + frames) / fps <= background.clip.duration;
        const skipped = first > 0 && !seek ? first : 0;
        const offset = background.offset + (seek ? first / fps : 0);
        const input = this.#addClipInput(background.clip, offset, background.fill, frames + skipped);
        const filters = [
          ...clipFrames(fps),
          ...clipColorFilters(background.clip.color),
          ...fitFilters(background.fit, { width, height }, 'black'),
          'format=yuv420p',
          ...fillAndCut(background.fill, frames + skipped, fps),
          ...(skipped > 0 ? [`trim=start_frame=${skipped}`, 'setpts=N'] : []),
        ];
        this.chains.push(`[${input}:v]${filters.join(',')}[bg]`);
        return 'bg';
      }
    }
  }

  /** `span`: the frames of the layer's stream inside a split scene's span (window.ts). */
  overlay(base: string, visual: Visual, index: number, span?: { skip: number; keep: number }): string {
    const { fps } = this.#format;
    const { timing, place } = visual;
    const visible = timing.endFrame - timing.startFrame;
    const layer = `l${index}`;
    const opacity = timing.opacity < 1 ? [`lut=a=val*${num(timing.opacity)}`] : [];
    if (visual.kind === 'still') {
      const input = this.#addInput([], visual.file);
      this.chains.push(
        `[${input}:v]${RGB_TO_OUTPUT},format=yuva420p,${[...opacity, repeatFrame(visible, fps)].join(',')}[${layer}]`,
      );
    } else {
      const input = this.#addClipInput(visual.clip, 0, visual.fill, visible);
      const filters = [
        ...clipFrames(fps),
        ...clipColorFilters(visual.clip.color),
        'format=yuva420p',
        ...fitFilters(visual.fit, place, 'black@0'),
        ...opacity,
        ...fillAndCut(visual.fill, visible, fps),
      ];
      this.chains.push(`[${input}:v]${filters.join(',')}[${layer}]`);
    }

    const scaled = this.#scaleAnimation(layer, place, timing);
    const timed = `${layer}t`;
    // Shift the layer's frames (time base 1/fps) to its start frame; fades work on these timestamps.
    // concat outputs in microseconds, so the time base is set again before counting frames.
    const shift = `settb=1/${fps},setpts=N+${timing.startFrame}`;
    // trim keeps the timestamps, so the frames it keeps still meet the background's at the same time.
    const inSpan = span ? [`trim=start_frame=${span.skip}:end_frame=${span.keep}`] : [];
    this.chains.push(`[${scaled}]${[shift, ...fadeFilters(timing, fps), ...inSpan].join(',')}[${timed}]`);

    const { x, y } = overlayPosition(place, timing, fps);
    // eof_action=pass shows the background alone once the layer's frames end; before its first
    // frame the overlay draws nothing. Positions are evaluated per frame only when they move.
    const evaluate = hasSlide(timing) ? 'frame' : 'init';
    const out = `v${index}`;
    this.chains.push(
      `[${base}][${timed}]overlay=x='${x}':y='${y}':eval=${evaluate}:eof_action=pass:format=yuv420[${out}]`,
    );
    return out;
  }

  /**
   * Draws the frames of a scale animation one by one: the layer's stream is split, each animated
   * frame is cut out, scaled and padded back to the layer's size, and the pieces are concatenated.
   */
  #scaleAnimation(layer: string, place: Placement, timing: Timing): string {
    const { inFrames, outFrames } = scaleFrames(timing, this.#format.fps);
    if (inFrames.length === 0 && outFrames.length === 0) return layer;
    const visible = timing.endFrame - timing.startFrame;
    const pieces: string[] = [];
    const frameAt = (frame: number, scale: number) =>
      [
        `trim=start_frame=${frame}:end_frame=${frame + 1}`,
        'setpts=PTS-STARTPTS',
        `scale=${scaledSide(place.width, scale)}:${scaledSide(place.height, scale)}`,
        `pad=${place.width}:${place.height}:(ow-iw)/2:(oh-ih)/2:color=black@0`,
        'setsar=1',
      ].join(',');
    inFrames.forEach((scale, i) => pieces.push(frameAt(i, scale)));
    const middleStart = inFrames.length;
    const middleEnd = visible - outFrames.length;
    if (middleEnd > middleStart) {
      pieces.push(`trim=start_frame=${middleStart}:end_frame=${middleEnd},setpts=PTS-STARTPTS,setsar=1`);
    }
    outFrames.forEach((scale, j) => pieces.push(frameAt(middleEnd + j, scale)));

    const labels = pieces.map((_, i) => `${layer}s${i}`);
    this.chains.push(`[${layer}]split=${pieces.length}${labels.map((l) => `[${l}]`).join('')}`);
    pieces.forEach((filters, i) => this.chains.push(`[${labels[i]}]${filters}[${labels[i]}o]`));
    const joined = `${layer}s`;
    this.chains.push(`${labels.map((l) => `[${l}o]`).join('')}concat=n=${pieces.length}:v=1:a=0[${joined}]`);
    return joined;
  }

  #addInput(options: string[], file: string): number {
    // Absolute paths, so that no file name is read as a protocol prefix ("name:...").
    this.inputArgs.push(...options, '-i', path.resolve(file));
    return this.#inputs++;
  }

  #addClipInput(clip: ClipInput, offset: number, fill: 'loop' | 'freeze', frames: number): number {
    const seconds = frames / this.#format.fps;
    // An offset past the end starts on the clip's last moments (freeze) or wraps around (loop).
    const start =
      offset < clip.duration
        ? offset
        : fill === 'loop'
          ? offset % clip.duration
          : Math.max(0, clip.duration - 0.1);
    // -stream_loop doubles the decoding time of a clip read from an offset (measured with the 2018
    // static ffmpeg on the welcome template's clips), so it is given only when the clip runs out.
    const runsOut = start + seconds > clip.duration;
    const { decoderThreads } = this.#options;
    const options = [
      ...(decoderThreads === undefined ? [] : ['-threads', String(decoderThreads)]),
      ...(fill === 'loop' && runsOut ? ['-stream_loop', '-1'] : []),
      '-ss',
      num(start),
      // Reads no more than the segment needs, plus one frame of margin for the fps filter.
      '-t',
      num(seconds + 1 / this.#format.fps),
    ];
    return this.#addInput(options, clip.file);
  }
}

/**
 * Repeats one decoded frame `frames` times at the output frame rate. The time base becomes 1/fps
 * first: an image input has a time base of 1/25, in which the frames of other rates fall between
 * ticks and, rounded, reach overlay one frame late.
 */
function repeatFrame(frames: number, fps: number): string {
  return `loop=loop=${frames - 1}:size=1:start=0,settb=1/${fps},setpts=N`;
}

/** Brings a clip to the output frame rate with timestamps from zero. */
function clipFrames(fps: number): string[] {
  return ['setpts=PTS-STARTPTS', `fps=${fps}`];
}

/** Holds the last frame when a `freeze` clip ends early, then keeps exactly `frames` frames. */
function fillAndCut(fill: 'loop' | 'freeze', frames: number, fps: number): string[] {
  // A looped clip is already repeated by the input's -stream_loop.
  const hold = fill === 'freeze' ? ['tpad=stop_mode=clone:stop=-1'] : [];
  return [...hold, `trim=end_frame=${frames}`, `settb=1/${fps}`, 'setpts=N'];
}

function fitFilters(fit: Fit, size: { width: number; height: number }, padColor: string): string[] {
  const { width, height } = size;
  // Non-square pixels (an anamorphic clip, 99x75 stored with a 4:3 pixel aspect ratio) are made
  // square first, because force_original_aspect_ratio reads the stored size only. With square
  // pixels this scale keeps the size and format, so ffmpeg passes the frames through.
  const square = ['scale=iw*sar:ih', 'setsar=1'];
  if (fit === 'cover') {
    return [
      ...square,
      `scale=${width}:${height}:force_original_aspect_ratio=increase`,
      `crop=${width}:${height}`,
      'setsar=1',
    ];
  }
  return [
    ...square,
    `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=${padColor}`,
    'setsar=1',
  ];
}

function scaledSide(side: number, scale: number): number {
  return Math.min(side, Math.max(2, Math.round(side * scale)));
}
