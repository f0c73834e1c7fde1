/**
 * Encode stage: each segment becomes an MP4 chunk of exactly its frames, encoded with the shared
 * settings of `codec.ts` so that the join can copy the streams.
 */
import { availableParallelism } from 'node:os';
import { videoCodecArgs, type EncoderAnalysis } from './codec.ts';
import { composeSegment } from './compose.ts';
import { runFfmpeg } from './ffmpeg.ts';
import type { RenderPlan, Segment } from './plan.ts';
import type { SegmentVisuals } from './rasterize.ts';
import type { FfmpegTools } from './types.ts';
import type { Workspace } from './workspace.ts';

/**
 * Most ffmpeg processes run at once by one render. Each one holds its decoded inputs and encoder in
 * memory (163 MB peak resident for the 7-second agency scene of templates/welcome at 1280x720), and
 * a machine with many cores usually renders several Vidatas at once.
 */
const MAX_PARALLEL_ENCODES = 4;

export interface EncodeContext {
  plan: RenderPlan;
  ffmpeg: FfmpegTools;
  workspace: Workspace;
  /** Encoder threads per ffmpeg process; 0 lets ffmpeg choose. */
  threads: number;
  /** Receives the number of frames encoded so far, all segments together. */
  onFrames?: (frames: number) => void;
  /** The search effort for each segment (codec.ts); `full` when absent. */
  analysis?: (segment: Segment) => EncoderAnalysis;
}

export interface Chunk {
  file: string;
  frames: number;
  /** Index of the scene it shows. */
  index: number;
}

/** Encodes every segment, a few at a time; returns the chunks in video order. */
export async function encodeSegments(
  segments: readonly SegmentVisuals[],
  context: EncodeContext,
): Promise<Chunk[]> {
  const done = new Array<number>(segments.length).fill(0);
  const report = () => context.onFrames?.(done.reduce((a, b) => a + b, 0));
  // One ffmpeg per core, because a filter graph runs mostly on one thread. Past MAX_PARALLEL_ENCODES,
  // each process's own encoder threads use the other cores.
  const parallel = Math.max(1, Math.min(segments.length, availableParallelism(), MAX_PARALLEL_ENCODES));
  const chunks = new Array<Chunk>(segments.length);
  // Longest segments first, so that the processes finish close together instead of one encoding a
  // long segment alone at the end.
  const order = segments.map((_, position) => position);
  order.sort((a, b) => (segments[b]?.segment.frames ?? 0) - (segments[a]?.segment.frames ?? 0));
  let next = 0;
  const worker = async () => {
    while (next < order.length) {
      const position = order[next++] as number;
      const segment = segments[position] as SegmentVisuals;
      chunks[position] = await encodeSegment(segment, context, (frames) => {
        done[position] = frames;
        report();
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return chunks;
}

async function encodeSegment(
  visuals: SegmentVisuals,
  context: EncodeContext,
  onFrame: (frame: number) => void,
): Promise<Chunk> {
  const { plan, workspace } = context;
  const { segment } = visuals;
  const composed = composeSegment(visuals, plan);
  // The pieces of a split scene share its index, so their names also carry their first frame.
  const span = segment.sceneFrame ? `-f${segment.sceneFrame}` : '';
  const file = workspace.file(`chunk-${String(segment.index).padStart(4, '0')}${span}.mp4`);
  await runFfmpeg(context.ffmpeg, {
    args: [
      ...composed.inputArgs,
      '-filter_complex',
      composed.filterGraph,
      '-map',
      `[${composed.output}]`,
      // Whole frames: every chunk has exactly its scene's frame count, so joins add up exactly.
      '-frames:v',
      String(segment.frames),
      '-r',
      String(plan.fps),
      ...videoCodecArgs(plan.encoder, plan.fps, context.analysis?.(segment) ?? 'full'),
      '-threads',
      String(context.threads),
      file,
    ],
    signal: workspace.signal,
    onFrame,
  });
  onFrame(segment.frames);
  return { file, frames: segment.frames, index: segment.index };
}
