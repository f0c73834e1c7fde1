/**
 * Plan stage: cuts the video into segments (one per scene), marks each one static or dynamic, and
 * lists the audio to mix. A static segment uses no variable, directly or through a `{{NAME}}`
 * placeholder, so it looks the same in every Vidata of a template version. Its cache key lists
 * everything its pixels depend on, so a segment cache can reuse it across renders.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { placeholders, sceneFrames, type Template } from '../template/load.ts';
import type { Scene } from '../template/schema.ts';
import { ENCODER, ENGINE_VERSION, type EncoderSettings } from './codec.ts';
import type { ResolvedScene } from './resolve.ts';

/** Inputs that a segment's pixels depend on besides its variables. */
export interface SegmentCacheKey {
  templateVersion: string;
  sceneIndex: number;
  width: number;
  height: number;
  fps: number;
  frames: number;
  /** First frame of the span within its scene, when the segment is part of a split scene (split.ts). */
  sceneFrame?: number;
  encoder: EncoderSettings;
  /** First line of `ffmpeg -version`: builds make segments that do not join with each other's. */
  ffmpegVersion: string;
  engineVersion: number;
}

export interface Segment {
  /** Index of the scene this segment shows. */
  index: number;
  /** True when no layer of the scene uses a variable. */
  static: boolean;
  /** Variables the scene uses, sorted. */
  variables: string[];
  /** First frame of the segment in the whole video. */
  startFrame: number;
  frames: number;
  /** First frame of the segment within its scene; 0 or absent when it shows the whole scene. */
  sceneFrame?: number;
  scene: ResolvedScene;
  cacheKey: SegmentCacheKey;
}

/** A clip whose own sound is mixed over the soundtrack. */
export interface ClipAudio {
  file: string;
  /** Seconds from the start of the video. */
  at: number;
  /** Seconds the clip is visible. */
  duration: number;
  loop: boolean;
}

export interface AudioPlan {
  soundtrack?: { file: string; volume: number; fadeIn: number; fadeOut: number };
  clips: ClipAudio[];
}

export interface RenderPlan {
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** Seconds: frameCount / fps. */
  duration: number;
  encoder: EncoderSettings;
  segments: Segment[];
  audio: AudioPlan;
}

export interface PlanInput {
  template: Template;
  scenes: readonly ResolvedScene[];
  ffmpegVersion: string;
  encoder?: EncoderSettings;
}

export function planRender(input: PlanInput): RenderPlan {
  const { template } = input;
  const { width, height, fps } = template.output;
  const encoder = input.encoder ?? ENCODER;
  const segments: Segment[] = [];
  let startFrame = 0;
  for (const scene of input.scenes) {
    const frames = sceneFrames(scene.scene, fps);
    const variables = sceneVariables(scene.scene);
    segments.push({
      index: scene.index,
      static: variables.length === 0,
      variables,
      startFrame,
      frames,
      scene,
      cacheKey: {
        templateVersion: template.version,
        sceneIndex: scene.index,
        width,
        height,
        fps,
        frames,
        encoder,
        ffmpegVersion: input.ffmpegVersion,
        engineVersion: ENGINE_VERSION,
      },
    });
    startFrame += frames;
  }
  return {
    width,
    height,
    fps,
    frameCount: startFrame,
    duration: startFrame / fps,
    encoder,
    segments,
    audio: planAudio(template, segments, fps),
  };
}

/** Lists the variables a scene uses: image, map and clip variables, and text placeholders. */
export function sceneVariables(scene: Scene): string[] {
  const names = new Set<string>();
  for (const layer of scene.layers) {
    if (layer.type === 'text') for (const name of placeholders(layer.text)) names.add(name);
    else if (layer.variable !== undefined) names.add(layer.variable);
  }
  return [...names].sort();
}

/** Returns a short stable hash of a cache key, usable as a file name. */
export function cacheKeyHash(key: SegmentCacheKey): string {
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
}

function planAudio(template: Template, segments: readonly Segment[], fps: number): AudioPlan {
  const audio: AudioPlan = { clips: [] };
  if (template.soundtrack) {
    const { file, volume, fadeIn, fadeOut } = template.soundtrack;
    audio.soundtrack = { file: path.join(template.dir, file), volume, fadeIn, fadeOut };
  }
  for (const segment of segments) {
    for (const layer of segment.scene.layers) {
      if (layer.type !== 'video' || !layer.keepAudio || !layer.clip.hasAudio) continue;
      const end = layer.layer.end ?? segment.scene.scene.duration;
      audio.clips.push({
        file: layer.clip.file,
        at: segment.startFrame / fps + layer.layer.start,
        duration: end - layer.layer.start,
        loop: layer.fill === 'loop',
      });
    }
  }
  return audio;
}
