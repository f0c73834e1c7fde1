/**
 * The raster and encode stages of a render, in one of three ways: every segment encoded (no cache),
 * the personalized spans encoded and the rest taken from the segment cache, or the whole video in
 * one ffmpeg pass (`singlePass`).
 */
import type { Template } from '../template/load.ts';
import { storeChunks, takeCachedChunks, type CacheReport, type ChunkCache } from './cache/segments.ts';
import { encodeOrder, encodeSegments, type Chunk } from './encode.ts';
import type { RenderPlan, Segment } from './plan.ts';
import type { ProgressReporter } from './progress.ts';
import { rasterizeSegments, type SegmentVisuals } from './rasterize.ts';
import { encodeSinglePass } from './single-pass.ts';
import { splitPersonalizedSpans } from './split.ts';
import type { FfmpegTools } from './types.ts';
import type { Workspace } from './workspace.ts';

export interface VideoContext {
  template: Template;
  plan: RenderPlan;
  ffmpeg: FfmpegTools;
  workspace: Workspace;
  progress: ProgressReporter;
  threads: number;
  cache?: ChunkCache | undefined;
  singlePass?: boolean | undefined;
  /** The cover frame to write as a JPEG while its segment is encoded (encode.ts). */
  cover?: { frame: number; file: string } | undefined;
}

export interface VideoChunks {
  /** In video order. */
  chunks: Chunk[];
  /** Present when a cache was used. */
  cache?: CacheReport;
}

/** The segments a render draws, started by the raster stage and encoded by the encode stage. */
interface Drawing {
  /** Chunks taken from the cache, by segment position. */
  reused: Map<number, Chunk>;
  toDraw: Segment[];
  /** The drawing of each segment of `toDraw`. */
  visuals: Promise<SegmentVisuals>[];
}

export async function drawAndEncode(context: VideoContext): Promise<VideoChunks> {
  const { template, ffmpeg, workspace, progress } = context;
  const cache = context.singlePass ? undefined : context.cache;
  // With a cache, scenes are cut at their personalized spans, so that their static frames are reused.
  const plan = cache ? splitPersonalizedSpans(context.plan) : context.plan;
  const report: CacheReport = { hits: 0, misses: 0, corrupt: 0, encodedFrames: 0, chunks: [] };

  // The raster stage takes the cached chunks, then draws the other segments one after another. The
  // encode stage starts once the drawing has started, and each segment's ffmpeg run starts as soon
  // as that segment is drawn, so the two stages overlap.
  let handOff: (drawing: Drawing) => void = () => undefined;
  let failHandOff: (error: unknown) => void = () => undefined;
  const drawingStarted = new Promise<Drawing>((resolve, reject) => {
    handOff = resolve;
    failHandOff = reject;
  });
  const raster = progress.stage('raster', async (fraction) => {
    let drawing: Drawing;
    try {
      const reused = cache
        ? await takeCachedChunks(plan.segments, cache, workspace, report)
        : new Map<number, Chunk>();
      const toDraw = plan.segments.filter((_, position) => !reused.has(position));
      // Drawn in the order they are encoded, so that the first ffmpeg runs start early.
      const visuals = rasterizeSegments(
        toDraw,
        { template, workspace },
        (done) => fraction(done / toDraw.length),
        encodeOrder(toDraw),
      );
      drawing = { reused, toDraw, visuals };
    } catch (error) {
      failHandOff(error);
      throw error;
    }
    handOff(drawing);
    await Promise.all(drawing.visuals);
  });
  const encode = drawingStarted.then(({ toDraw, visuals }) => {
    report.encodedFrames = toDraw.reduce((sum, segment) => sum + segment.frames, 0);
    const encodeContext = { plan, ffmpeg, workspace, threads: context.threads };
    return progress.stage('encode', async (fraction) => {
      const onFrames = (frames: number) => fraction(frames / Math.max(1, report.encodedFrames));
      if (context.singlePass) {
        return [await encodeSinglePass(await Promise.all(visuals), { ...encodeContext, onFrames })];
      }
      return encodeSegments(toDraw, visuals, {
        ...encodeContext,
        onFrames,
        ...(context.cover ? { cover: context.cover } : {}),
        // Cached segments are encoded once, so they get the preset's full search. Personalized ones
        // are encoded for every Vidata, so they get the cheaper one with the same headers (codec.ts).
        analysis: (segment) => (cache && !segment.static ? 'fast' : 'full'),
      });
    });
  });
  // Both are awaited together, so that a failure of either is reported and none is left unhandled.
  const [, encoded] = await Promise.all([raster, encode]);
  const { reused, toDraw } = await drawingStarted;
  if (context.singlePass) return { chunks: encoded };

  if (cache) {
    const encodedChunks = toDraw.map((segment, i) => ({ segment, chunk: encoded[i] as Chunk }));
    // Stored beside the join; the workspace waits for it before it is removed. A cache that cannot be
    // written costs the next render time, not this render its output.
    void workspace.track(
      storeChunks(encodedChunks, cache).catch((error: unknown) =>
        progress.warn('CACHE_WRITE_FAILED', `A segment could not be stored in the cache: ${String(error)}`),
      ),
    );
  }
  const chunks: Chunk[] = [];
  let next = 0;
  plan.segments.forEach((segment, position) => {
    const cached = reused.get(position);
    chunks.push(cached ?? (encoded[next++] as Chunk));
    const { startFrame, frames } = segment;
    report.chunks.push({ startFrame, frames, static: segment.static, cached: cached !== undefined });
  });
  return cache ? { chunks, cache: report } : { chunks };
}
