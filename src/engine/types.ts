/**
 * The render engine's contract. The engine turns a validated template and resolved values into an
 * MP4 and a cover JPEG. It does not depend on HTTP, databases or queues, never reads `process.env`
 * and never prints. Everything it needs comes in a `RenderRequest`, and it reports through
 * `onEvent`.
 */
import type { Template } from '../template/load.ts';
import type { MapVariable } from '../template/schema.ts';
import type { ResolvedValues } from '../template/values.ts';
import type { CacheReport, ChunkCache } from './cache/segments.ts';

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

/** Turns the `Filename` of an upload into a readable local file path. */
export interface MediaResolver {
  resolveUpload(filename: string, kind: 'image' | 'video'): Promise<string>;
}

export interface MapImageRequest {
  address: string;
  width: number;
  height: number;
  style: NonNullable<MapVariable['Map']['Style']>;
  signal?: AbortSignal;
}

/** Draws the map of an address (geocoding included). Throws ADDRESS_NOT_FOUND when it cannot be placed. */
export interface MapProvider {
  renderMap(request: MapImageRequest): Promise<Buffer>;
}

export type RenderStage = 'resolve' | 'plan' | 'raster' | 'encode' | 'join' | 'cover';

export type RenderEvent =
  /** Stages start in the order of `RenderStage`. `encode` starts before `raster` ends. */
  | { type: 'stage-start'; stage: RenderStage }
  | { type: 'stage-end'; stage: RenderStage; ms: number }
  /** Overall progress from 0 to 100; never goes down. */
  | { type: 'progress'; progress: number }
  /** A fallback or anything else an operator may want to know; never an error that stops the render. */
  | { type: 'warning'; code: string; message: string };

export interface RenderRequest {
  template: Template;
  values: ResolvedValues;
  /** Absolute paths the engine writes. Their folders must exist. */
  output: { video: string; cover: string };
  ffmpeg: FfmpegTools;
  media?: MediaResolver;
  /** Without it, map layers show the map variable's DefaultImage. */
  maps?: MapProvider;
  /** Folder for temporary files (a private folder is made inside and removed at the end). */
  workDir?: string;
  /**
   * Threads given to one ffmpeg process. 0 or absent divides the cores among the processes that
   * run at once (encode.ts), except in the single pass, where ffmpeg chooses.
   */
  threads?: number;
  /**
   * Store of the segments that look the same in every Vidata of the template, kept between renders
   * (cache/store.ts). With it, scenes are also split at their personalized spans and only those are
   * encoded; without it, every segment is encoded.
   */
  cache?: ChunkCache;
  /** Encodes the whole video in one ffmpeg pass, without the cache: for comparison and debugging. */
  singlePass?: boolean;
  onEvent?: (event: RenderEvent) => void;
  signal?: AbortSignal;
}

export interface RenderResult {
  video: string;
  cover: string;
  /** Seconds, as ffprobe reads them from the written file. */
  duration: number;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** Milliseconds spent in each stage. `raster` and `encode` overlap. */
  timings: Partial<Record<RenderStage, number>>;
  /** Report of the segment cache's hits and misses, when the request had one. */
  cache?: CacheReport;
}
