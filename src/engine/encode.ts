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
 * memory (about 100 MB peak resident for a personalized span of templates/welcome at 1280x720 with
 * one thread), and a machine with many cores usually renders several Vidatas at once.
 */
const MAX_PARALLEL_ENCODES = 4;

export interface EncodeContext {
  plan: RenderPlan;
  ffmpeg: FfmpegTools;
  workspace: Workspace;
  /**
   * Threads per ffmpeg process, for the encoder and the clip decoders. 0 divides the cores among
   * the processes that run at once (ffmpeg chooses in the single pass).
   */
  threads: number;
  /** Receives the number of frames encoded so far, all segments together. */
  onFrames?: (frames: number) => void;
  /** The search effort for each segment (codec.ts); `full` when absent. */
  analysis?: (segment: Segment) => EncoderAnalysis;
  /**
   * A frame of the video to write as a JPEG too, by the process that encodes the segment holding
   * it. Taken from the drawn frames, this saves an ffmpeg run that decodes the chunk again.
   */
  cover?: { frame: number; file: string };
}

export interface Chunk {
  file: string;
  frames: number;
  /** Index of the scene it shows. */
  index: number;
  /** The JPEG of `EncodeContext.cover`, when this chunk contains that frame. */
  cover?: string;
}

/**
 * Encodes every segment, a few at a time; returns the chunks in video order. `visuals` contains the
 * drawing of each segment: a process starts as soon as its segment is drawn, so drawing the other
 * segments overlaps with encoding.
 */
export async function encodeSegments(
  segments: readonly Segment[],
  visuals: readonly Promise<SegmentVisuals>[],
  context: EncodeContext,
): Promise<Chunk[]> {
  const done = new Array<number>(segments.length).fill(0);
  const report = () => context.onFrames?.(done.reduce((a, b) => a + b, 0));
  // One ffmpeg per core, because a filter graph runs mostly on one thread. Past MAX_PARALLEL_ENCODES,
  // each process's own encoder threads use the other cores.
  const cores = availableParallelism();
  const parallel = Math.max(
    1,
    Math.min(segments.length, cores, MAX_PARALLEL_ENCODES, fitInMemory(segments, context)),
  );
  // One thread per process when the processes already fill the cores. On the welcome template's
  // personalized spans with 2 cores and 2 processes at once, letting ffmpeg choose cost about 8 %
  // more CPU time. It also took 141 MB peak resident per process against 111 MB with one thread.
  const threads =
    context.threads > 0 ? context.threads : threadsInMemory(segments, context, Math.floor(cores / parallel));
  const chunks = new Array<Chunk>(segments.length);
  const order = encodeOrder(segments);
  let next = 0;
  const worker = async () => {
    while (next < order.length) {
      const position = order[next++] as number;
      const drawn = await (visuals[position] as Promise<SegmentVisuals>);
      chunks[position] = await encodeSegment(drawn, { ...context, threads }, (frames) => {
        done[position] = frames;
        report();
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return chunks;
}

/**
 * Resident memory the ffmpeg processes of one render may take together. With a render worker's
 * Node.js process (about 120 to 180 MB in the bench), this keeps a worker near or under 400 MB.
 */
const FFMPEG_MEMORY_BUDGET = 220 * 1024 ** 2;

/**
 * Estimates the peak resident memory of one ffmpeg process encoding a segment. The estimate has a
 * fixed part (the binary, the filter graph, the decoders) and a part per pixel (decoded frames,
 * layer frames, the encoder's lookahead and references). It is fitted to bench runs with one
 * thread on 2 cores: about 100 MB at 1280x720 and 150 MB at 1920x1080 for personalized spans.
 * Cached spans took 118 to 130 MB at 1280x720, because their longer lookahead keeps more frames.
 */
function ffmpegPeakEstimate(pixels: number, analysis: EncoderAnalysis, threads = 1): number {
  const perPixel = analysis === 'fast' ? 44 : 78;
  // Each encoder thread past the first keeps frames of its own: measured on the 1080p bench
  // template's cached spans, 264 MB with two threads where one thread is estimated at 214 MB.
  return (60 * 1024 ** 2 + perPixel * pixels) * (1 + 0.25 * (threads - 1));
}

/**
 * Returns the most threads, up to `max`, with which each of the segments' processes stays within
 * FFMPEG_MEMORY_BUDGET by the estimate (at least one).
 */
function threadsInMemory(segments: readonly Segment[], context: EncodeContext, max: number): number {
  const pixels = context.plan.width * context.plan.height;
  for (let threads = Math.max(1, max); threads > 1; threads--) {
    const fits = segments.every(
      (segment) =>
        ffmpegPeakEstimate(pixels, context.analysis?.(segment) ?? 'full', threads) <= FFMPEG_MEMORY_BUDGET,
    );
    if (fits) return threads;
  }
  return 1;
}

/**
 * Returns how many of the segments' ffmpeg processes fit in FFMPEG_MEMORY_BUDGET at once, judged by
 * the largest estimate among them (at least one). With fewer processes, each gets more threads, so
 * the cores stay busy.
 */
function fitInMemory(segments: readonly Segment[], context: EncodeContext): number {
  const pixels = context.plan.width * context.plan.height;
  let largest = 0;
  for (const segment of segments) {
    largest = Math.max(largest, ffmpegPeakEstimate(pixels, context.analysis?.(segment) ?? 'full'));
  }
  return Math.max(1, Math.floor(FFMPEG_MEMORY_BUDGET / largest));
}

/**
 * Returns the positions of `segments` in the order they are encoded: longest first, so that the
 * processes finish close together instead of one encoding a long segment alone at the end.
 */
export function encodeOrder(segments: readonly Segment[]): number[] {
  const order = segments.map((_, position) => position);
  order.sort((a, b) => (segments[b]?.frames ?? 0) - (segments[a]?.frames ?? 0));
  return order;
}

async function encodeSegment(
  visuals: SegmentVisuals,
  context: EncodeContext,
  onFrame: (frame: number) => void,
): Promise<Chunk> {
  const { plan, workspace } = context;
  const { segment } = visuals;
  const composed = composeSegment(visuals, plan, { decoderThreads: context.threads });
  // The pieces of a split scene share its index, so their names also carry their first frame.
  const span = segment.sceneFrame ? `-f${segment.sceneFrame}` : '';
  const file = workspace.file(`chunk-${String(segment.index).padStart(4, '0')}${span}.mp4`);
  const cover = coverOutput(segment, composed.output, context.cover);
  await runFfmpeg(context.ffmpeg, {
    args: [
      ...composed.inputArgs,
      '-filter_complex',
      cover ? `${composed.filterGraph};${cover.chain}` : composed.filterGraph,
      '-map',
      `[${cover ? cover.video : composed.output}]`,
      // Whole frames: every chunk has exactly its scene's frame count, so joins add up exactly.
      '-frames:v',
      String(segment.frames),
      '-r',
      String(plan.fps),
      ...videoCodecArgs(plan.encoder, plan.fps, context.analysis?.(segment) ?? 'full'),
      '-threads',
      String(context.threads),
      file,
      ...(cover ? cover.args : []),
    ],
    signal: workspace.signal,
    onFrame,
  });
  onFrame(segment.frames);
  const chunk: Chunk = { file, frames: segment.frames, index: segment.index };
  if (cover) chunk.cover = cover.file;
  return chunk;
}

/**
 * Returns the filter chain and output arguments that write the cover frame as a JPEG beside the
 * chunk, when the segment contains it. The drawn frames are split, and one copy keeps only that frame. The frame
 * is the one the encoder receives, so it matches the video's frame up to the encoding loss.
 */
function coverOutput(
  segment: Segment,
  output: string,
  cover: EncodeContext['cover'],
): { chain: string; video: string; args: string[]; file: string } | undefined {
  if (cover === undefined) return undefined;
  const local = cover.frame - segment.startFrame;
  if (local < 0 || local >= segment.frames) return undefined;
  const chain = `[${output}]split=2[chunkv][coverv];[coverv]trim=start_frame=${local}:end_frame=${local + 1}[cover]`;
  const args = ['-map', '[cover]', '-frames:v', '1', '-q:v', '2', '-update', '1', cover.file];
  return { chain, video: 'chunkv', args, file: cover.file };
}
