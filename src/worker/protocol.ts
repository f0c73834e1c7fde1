/**
 * Messages between the server and its render worker processes, sent over the IPC channel of
 * child_process.fork with the "advanced" serialization (structured clone), so Maps and Buffers
 * cross as they are. The worker's messages are checked with zod when they arrive, because a
 * worker that runs an older or broken build must not corrupt the job bookkeeping of the server.
 */
import { z } from 'zod';
import { ERROR_CATALOGUE, VidataError, isVidataError, type ErrorCode } from '../errors.ts';
import type { FfmpegTools, RenderEvent, RenderResult } from '../engine/types.ts';
import type { KnownLocations, MapFont, MapSettings } from '../maps/index.ts';
import type { Template } from '../template/load.ts';
import type { ResolvedValues } from '../template/values.ts';

/** Settings a worker receives once, right after it starts. */
export interface WorkerSettings {
  maps: MapSettings;
  /** Folder for the geocoder and tile caches; shared with the server, which writes the same files. */
  mapsCacheDir?: string;
}

/**
 * A RenderRequest without its objects: the segment cache becomes its folder and size limit, the
 * map provider its fonts and placed addresses, and the media resolver a flag (the worker requests
 * each upload's path from the server).
 */
export interface WorkerRenderRequest {
  template: Template;
  values: ResolvedValues;
  output: { video: string; cover: string };
  ffmpeg: FfmpegTools;
  workDir?: string;
  threads?: number;
  singlePass?: boolean;
  cache?: { dir: string; maxBytes: number };
  maps?: { fonts: MapFont[]; locations: KnownLocations };
  hasMedia: boolean;
}

export type ServerMessage =
  | { type: 'init'; settings: WorkerSettings }
  | { type: 'render'; jobId: number; request: WorkerRenderRequest }
  | { type: 'cancel'; jobId: number }
  | { type: 'media-path'; callId: number; path?: string; error?: SerializedError };

/** An error as it crosses the process boundary: catalogue errors keep their code, field and details. */
export interface SerializedError {
  code?: string;
  message: string;
  field?: string;
  details?: unknown;
  stack?: string;
}

const serializedErrorSchema = z.object({
  code: z.string().optional(),
  message: z.string(),
  field: z.string().optional(),
  details: z.unknown().optional(),
  stack: z.string().optional(),
});

const renderEventSchema = z.union([
  z.object({
    type: z.literal('stage-start'),
    stage: z.enum(['resolve', 'plan', 'raster', 'encode', 'join', 'cover']),
  }),
  z.object({
    type: z.literal('stage-end'),
    stage: z.enum(['resolve', 'plan', 'raster', 'encode', 'join', 'cover']),
    ms: z.number(),
  }),
  z.object({ type: z.literal('progress'), progress: z.number() }),
  z.object({ type: z.literal('warning'), code: z.string(), message: z.string() }),
]);

const renderResultSchema = z.object({
  video: z.string(),
  cover: z.string(),
  duration: z.number(),
  width: z.number(),
  height: z.number(),
  fps: z.number(),
  frameCount: z.number(),
  timings: z.record(z.string(), z.number()),
  cache: z
    .object({
      hits: z.number(),
      misses: z.number(),
      corrupt: z.number(),
      encodedFrames: z.number(),
      chunks: z.array(
        z.object({ startFrame: z.number(), frames: z.number(), static: z.boolean(), cached: z.boolean() }),
      ),
    })
    .optional(),
});

export const workerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('event'), jobId: z.number(), event: renderEventSchema }),
  z.object({
    type: z.literal('media'),
    jobId: z.number(),
    callId: z.number(),
    filename: z.string(),
    kind: z.enum(['image', 'video']),
  }),
  z.object({ type: z.literal('done'), jobId: z.number(), result: renderResultSchema }),
  z.object({ type: z.literal('failed'), jobId: z.number(), error: serializedErrorSchema }),
  z.object({ type: z.literal('log'), details: z.record(z.string(), z.unknown()), message: z.string() }),
]);

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'event'; jobId: number; event: RenderEvent }
  | { type: 'media'; jobId: number; callId: number; filename: string; kind: 'image' | 'video' }
  | { type: 'done'; jobId: number; result: RenderResult }
  | { type: 'failed'; jobId: number; error: SerializedError }
  /** A warning of the worker's map provider, logged by the server. */
  | { type: 'log'; details: Record<string, unknown>; message: string };

export function serializeError(error: unknown): SerializedError {
  if (isVidataError(error)) {
    return {
      code: error.code,
      message: error.message,
      field: error.field,
      details: error.details,
      stack: error.stack,
    };
  }
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  return { message: String(error) };
}

/**
 * Rebuilds an error sent by the other process: a VidataError when its code is in the catalogue,
 * otherwise a plain Error, which API callers see as RENDER_FAILED. The stack is the original one.
 */
export function deserializeError(error: SerializedError): Error {
  const rebuilt =
    error.code !== undefined && Object.hasOwn(ERROR_CATALOGUE, error.code)
      ? new VidataError(error.code as ErrorCode, error.message, {
          field: error.field,
          details: error.details,
        })
      : new Error(error.message);
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}
