/**
 * How a render uses the segment cache. Before drawing, a render takes the chunks of its static
 * segments from the cache, and after encoding it stores the ones it had to encode. The soundtrack is
 * cached the same way when it depends only on the template.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ENGINE_VERSION, type EncoderSettings } from '../codec.ts';
import type { Chunk } from '../encode.ts';
import { cacheKeyHash, type AudioPlan, type Segment } from '../plan.ts';
import type { Workspace } from '../workspace.ts';
import type { CacheLookup } from './store.ts';

/** Cache interface the engine uses. `SegmentCache` (store.ts) implements it on disk. */
export interface ChunkCache {
  get(key: string, target: string): Promise<CacheLookup>;
  put(key: string, source: string): Promise<void>;
}

export interface CacheReport {
  /** Static segments taken from the cache. */
  hits: number;
  /** Static segments encoded because the cache had no entry for them or a corrupt one. */
  misses: number;
  /** Entries found corrupt and encoded again. */
  corrupt: number;
  /** Frames encoded by this render. */
  encodedFrames: number;
  /** The chunks joined, in video order: where each starts, its frames, and whether it came from the cache. */
  chunks: { startFrame: number; frames: number; static: boolean; cached: boolean }[];
}

/** Takes the chunks of the static segments from the cache; returns them by segment position. */
export async function takeCachedChunks(
  segments: readonly Segment[],
  cache: ChunkCache,
  workspace: Workspace,
  report: CacheReport,
): Promise<Map<number, Chunk>> {
  const found = new Map<number, Chunk>();
  await Promise.all(
    segments.map(async (segment, position) => {
      if (!segment.static) return;
      const target = workspace.file(`cached-${String(position).padStart(4, '0')}.mp4`);
      const lookup = await cache.get(cacheKeyHash(segment.cacheKey), target);
      if (lookup.hit) {
        report.hits++;
        found.set(position, { file: lookup.file, frames: segment.frames, index: segment.index });
      } else {
        report.misses++;
        if (lookup.reason === 'corrupt') report.corrupt++;
      }
    }),
  );
  return found;
}

/** Stores the chunks of static segments that this render encoded. */
export async function storeChunks(
  encoded: readonly { segment: Segment; chunk: Chunk }[],
  cache: ChunkCache,
): Promise<void> {
  for (const { segment, chunk } of encoded) {
    if (segment.static) await cache.put(cacheKeyHash(segment.cacheKey), chunk.file);
  }
}

export interface AudioKeyInput {
  templateVersion: string;
  templateDir: string;
  audio: AudioPlan;
  duration: number;
  encoder: EncoderSettings;
  ffmpegVersion: string;
}

/**
 * The cache key of a soundtrack, or undefined when it mixes the sound of a file from outside the
 * template (an uploaded clip), whose content the template version does not cover.
 */
export function audioCacheKey(input: AudioKeyInput): string | undefined {
  const inside = (file: string) => !path.relative(input.templateDir, file).startsWith('..');
  if (input.audio.soundtrack && !inside(input.audio.soundtrack.file)) return undefined;
  if (!input.audio.clips.every((clip) => inside(clip.file))) return undefined;
  const key = {
    kind: 'soundtrack',
    templateVersion: input.templateVersion,
    audio: input.audio,
    duration: input.duration,
    encoder: input.encoder.audio,
    ffmpegVersion: input.ffmpegVersion,
    engineVersion: ENGINE_VERSION,
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
}

/** Returns a cached soundtrack in the workspace, or encodes it with `encode` and stores it. */
export async function cachedAudio(
  cache: ChunkCache | undefined,
  key: string | undefined,
  workspace: Workspace,
  encode: () => Promise<string>,
): Promise<string> {
  if (cache === undefined || key === undefined) return encode();
  const lookup = await cache.get(key, workspace.file('audio-cached.m4a'));
  if (lookup.hit) return lookup.file;
  const file = await encode();
  await cache.put(key, file);
  return file;
}
