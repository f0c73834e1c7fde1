/**
 * Normalization of an uploaded clip into the template's format, in one ffmpeg pass. The output has
 * its rotation applied, a constant frame rate, square pixels and 8-bit BT.709 SDR colours. It has the
 * template's size (by cover or contain), H.264 yuv420p video with a keyframe every second, and AAC
 * 48 kHz stereo sound (silent when the clip has none). Every later step can then treat all clips alike.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { VidataError } from '../errors.ts';
import type { FfmpegTools } from '../engine/types.ts';
import { requireFilters } from './capabilities.ts';
import { audioFilterChain, needsZscale, OUTPUT_SAMPLE_RATE, videoFilterChain, type Fit } from './filters.ts';
import { probeClip, type ClipInfo, type ProbeLimits } from './probe.ts';
import { localInput, runTool, stderrTail, ToolFailure } from './run.ts';

export interface NormalizeOptions {
  input: string;
  /** Path of the MP4 written. It appears only once complete: ffmpeg writes a temporary file beside it. */
  output: string;
  width: number;
  height: number;
  /** Output frames per second (an integer, as templates declare it). */
  fps: number;
  fit: Fit;
  ffmpeg: FfmpegTools;
  /** The input's probe, when the caller already has it; probed otherwise. */
  info?: ClipInfo;
  /** Keeps only the first seconds of the clip; a slot never shows more than its own duration. */
  maxDuration?: number;
  /** Colour of the bars added by `contain`, as `#rrggbb`; default black. */
  padColor?: string;
  limits?: Partial<ProbeLimits>;
  /** Name of the clip and field in error messages (see `probeClip`). */
  label?: string;
  field?: string;
  /** Default: 120 s plus 30 s per second of clip, enough for 4K HDR tone mapping on two cores. */
  timeoutMs?: number;
  /** Threads for ffmpeg; 0 (the default) lets it choose. */
  threads?: number;
  signal?: AbortSignal;
}

export interface NormalizedClip {
  path: string;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** Seconds: `frameCount / fps`. */
  duration: number;
  /** The probe of the original clip. */
  source: ClipInfo;
}

/**
 * Normalizes `input` into `output`, probing `input` first unless `info` is given. Throws
 * VIDEO_INVALID or VIDEO_TOO_LARGE for clips the probe rejects and FFMPEG_FAILED when ffmpeg fails.
 * `output` is then left untouched.
 */
export async function normalizeClip(options: NormalizeOptions): Promise<NormalizedClip> {
  checkTarget(options);
  const probeOptions = {
    label: options.label,
    field: options.field,
    limits: options.limits,
    signal: options.signal,
  };
  const info = options.info ?? (await probeClip(options.input, options.ffmpeg.ffprobe, probeOptions));
  const duration = Math.min(info.duration, options.maxDuration ?? Infinity);
  const frameCount = Math.max(1, Math.round(duration * options.fps));
  const sampleCount = Math.round((frameCount / options.fps) * OUTPUT_SAMPLE_RATE);
  if (needsZscale(info)) {
    await requireFilters(options.ffmpeg.ffmpeg, ['zscale', 'tonemap'], 'converting HDR and BT.2020 clips');
  }

  const video = videoFilterChain(info, {
    width: options.width,
    height: options.height,
    fps: options.fps,
    fit: options.fit,
    frameCount,
    padColor: `0x${(options.padColor ?? '#000000').slice(1)}`,
  });
  const audio = audioFilterChain(info, sampleCount);
  const audioInput = info.streamIndex.audio === undefined ? '' : `[0:${info.streamIndex.audio}]`;
  const graph = `[0:${info.streamIndex.video}]${video}[v];${audioInput}${audio}[a]`;

  const partial = path.join(
    path.dirname(path.resolve(options.output)),
    `.${path.basename(options.output)}.${randomBytes(6).toString('hex')}.partial.mp4`,
  );
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-threads', String(options.threads ?? 0),
    ...localInput(options.input),
    '-filter_complex', graph,
    '-map', '[v]', '-map', '[a]',
    // Phones store the place of recording in the file's metadata: none of it is copied.
    '-map_metadata', '-1', '-map_chapters', '-1',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    // An IDR frame exactly every second (no scene-cut keyframes), so trims and loops start cheaply.
    '-g', String(options.fps), '-keyint_min', String(options.fps), '-sc_threshold', '0',
    '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv',
    '-c:a', 'aac', '-b:a', '160k', '-ar', String(OUTPUT_SAMPLE_RATE), '-ac', '2',
    '-movflags', '+faststart',
    '-f', 'mp4', `file:${partial}`,
  ]; // prettier-ignore

  try {
    await runTool(options.ffmpeg.ffmpeg, args, {
      timeoutMs: options.timeoutMs ?? 120_000 + 30_000 * duration,
      signal: options.signal,
    });
    await rename(partial, options.output);
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof ToolFailure) {
      throw new VidataError('FFMPEG_FAILED', `Normalizing the clip failed: ${error.message}.`, {
        field: options.field,
        details: { stderr: stderrTail(error.stderr) },
        cause: error,
      });
    }
    throw error;
  }
  return {
    path: options.output,
    width: options.width,
    height: options.height,
    fps: options.fps,
    frameCount,
    duration: frameCount / options.fps,
    source: info,
  };
}

function checkTarget(options: NormalizeOptions): void {
  const problems: string[] = [];
  if (!isEvenPositive(options.width)) problems.push(`width ${options.width} is not an even positive integer`);
  if (!isEvenPositive(options.height))
    problems.push(`height ${options.height} is not an even positive integer`);
  if (!Number.isInteger(options.fps) || options.fps < 1 || options.fps > 120)
    problems.push(`fps ${options.fps} is not an integer from 1 to 120`);
  if (options.padColor !== undefined && !/^#[0-9a-fA-F]{6}$/.test(options.padColor))
    problems.push(`padColor "${options.padColor}" is not of the form #rrggbb`);
  if (options.maxDuration !== undefined && !(options.maxDuration > 0))
    problems.push(`maxDuration ${options.maxDuration} is not positive`);
  if (problems.length > 0) {
    throw new VidataError('INTERNAL', `Invalid clip normalization request: ${problems.join('; ')}.`);
  }
}

function isEvenPositive(value: number): boolean {
  return Number.isInteger(value) && value > 0 && value % 2 === 0;
}
