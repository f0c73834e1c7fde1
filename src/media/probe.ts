/**
 * Probing an uploaded clip: its container is checked byte by byte, then ffprobe reads its streams.
 * Everything the normalization needs (rotation, pixel aspect ratio, frame timing, bit depth, colour
 * transfer, audio) comes back as one typed `ClipInfo`. A clip that cannot be used is rejected with
 * VIDEO_INVALID or VIDEO_TOO_LARGE before any decoding starts.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { VidataError } from '../errors.ts';
import { checkContainer, type ContainerKind } from './container.ts';
import { localInput, runTool, stderrTail, ToolFailure } from './run.ts';

export type HdrTransfer = 'pq' | 'hlg';

export interface ClipInfo {
  container: ContainerKind;
  /** Indexes of the video stream and of the first audio stream, as ffmpeg's `-map 0:N` counts them. */
  streamIndex: { video: number; audio: number | undefined };
  /** Codec of the video stream, as ffprobe names it (`h264`, `hevc`, `vp9`...). */
  codec: string;
  /** Size of the stored frames, before rotation and pixel aspect ratio are applied. */
  width: number;
  height: number;
  /** Pixel (sample) aspect ratio as a number; 1 for square pixels. */
  sampleAspectRatio: number;
  /** Clockwise rotation, in degrees, that a player applies before showing a frame. */
  rotation: number;
  /** Displayed size: rotation and pixel aspect ratio applied. */
  displayWidth: number;
  displayHeight: number;
  /** Frame rates as ffprobe reports them: `avg` (frames / duration) and `r` (the timestamp base rate). */
  fps: { avg: number; r: number };
  /** True when the intervals between frame timestamps vary by more than `VFR_TOLERANCE`. */
  isVfr: boolean;
  pixFmt: string;
  /** True when the frames are stored as two interlaced fields (camcorders, broadcast recordings). */
  interlaced: boolean;
  /** Bits per colour sample (8, 10, 12...). */
  bitDepth: number;
  /** Colour tags as ffprobe names them, undefined when the file has none. */
  colorTransfer: string | undefined;
  colorPrimaries: string | undefined;
  colorSpace: string | undefined;
  colorRange: string | undefined;
  /** Transfer function of an HDR clip: PQ (SMPTE ST 2084) or HLG (ARIB STD-B67); undefined for SDR. */
  hdr: HdrTransfer | undefined;
  hasAudio: boolean;
  audioSampleRate: number | undefined;
  audioChannels: number | undefined;
  /** Seconds from the start of the file's first stream to the end of the video. */
  duration: number;
}

export interface ProbeLimits {
  /** Maximum width x height of a frame; default 7680 x 4320 (8K UHD), the largest phones record. */
  maxPixels: number;
  /** Maximum duration in seconds; default 600. Every accepted second is decoded once at normalization. */
  maxDuration: number;
}

export const DEFAULT_PROBE_LIMITS: ProbeLimits = { maxPixels: 7680 * 4320, maxDuration: 600 };

export interface ProbeOptions {
  /** Name of the clip in error messages; defaults to the file's base name, so no server path leaks. */
  label?: string;
  /** Field of the error, e.g. `variables.VID_INTRO`. */
  field?: string;
  limits?: Partial<ProbeLimits>;
  /** Default 20 s: ffprobe reads headers and a few hundred packets, which takes milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** ffprobe's names of the HDR transfer functions. */
const HDR_TRANSFERS: Partial<Record<string, HdrTransfer>> = { smpte2084: 'pq', 'arib-std-b67': 'hlg' };

/** Video packets read to measure frame intervals; a few seconds of video at any usual rate. */
const PACKETS_FOR_TIMING = 600;
/** Relative deviation from the median frame interval above which a clip counts as variable frame rate. */
const VFR_TOLERANCE = 0.1;

interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  pix_fmt?: string;
  field_order?: string;
  bits_per_raw_sample?: string;
  color_transfer?: string;
  color_primaries?: string;
  color_space?: string;
  color_range?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  start_time?: string;
  duration?: string;
  sample_rate?: string;
  channels?: number;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  disposition?: { attached_pic?: number };
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { duration?: string; start_time?: string };
  packets?: { stream_index: number; pts?: number }[];
}

/**
 * Probes `file` with `ffprobePath`. Throws VIDEO_INVALID when the file is cut off, damaged, not an
 * MP4/MOV/WebM clip or has no video, and VIDEO_TOO_LARGE when it exceeds `limits`.
 */
export async function probeClip(
  file: string,
  ffprobePath: string,
  options: ProbeOptions = {},
): Promise<ClipInfo> {
  const label = options.label ?? path.basename(file);
  const limits = { ...DEFAULT_PROBE_LIMITS, ...options.limits };
  const invalid = (reason: string, details?: unknown): VidataError =>
    new VidataError('VIDEO_INVALID', `The clip "${label}" cannot be used: ${reason}.`, {
      field: options.field,
      details,
    });

  try {
    await stat(file);
  } catch (cause) {
    throw new VidataError('FILE_NOT_FOUND', `The clip "${label}" was not found.`, {
      field: options.field,
      cause,
    });
  }
  const container = await checkContainer(file);
  if (!container.ok) throw invalid(container.reason);

  const output = await runProbe(file, ffprobePath, options, invalid);
  const streams = output.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!video) throw invalid('it has no video stream');
  const audio = streams.find((s) => s.codec_type === 'audio');

  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (!video.codec_name || video.codec_name === 'none' || width <= 0 || height <= 0) {
    throw invalid('its video stream has no known codec or size');
  }
  const duration = videoEnd(video, output.format);
  if (duration === undefined) throw invalid('its duration is unknown or zero');

  if (width * height > limits.maxPixels) {
    throw new VidataError(
      'VIDEO_TOO_LARGE',
      `The clip "${label}" is ${width}x${height} pixels; the maximum is ${limits.maxPixels} pixels per frame.`,
      { field: options.field },
    );
  }
  if (duration > limits.maxDuration) {
    throw new VidataError(
      'VIDEO_TOO_LARGE',
      `The clip "${label}" lasts ${duration.toFixed(1)} s; the maximum is ${limits.maxDuration} s.`,
      { field: options.field },
    );
  }

  const sampleAspectRatio = parseRatio(video.sample_aspect_ratio) ?? 1;
  const rotation = clockwiseRotation(video);
  const quarterTurn = rotation === 90 || rotation === 270;
  // The pixel aspect ratio stretches stored columns; rotation then swaps the axes.
  const stretchedWidth = Math.round(width * sampleAspectRatio);
  const pixFmt = video.pix_fmt ?? 'unknown';
  const transfer = video.color_transfer;

  return {
    container: container.kind,
    streamIndex: { video: video.index, audio: audio?.index },
    codec: video.codec_name,
    width,
    height,
    sampleAspectRatio,
    rotation,
    displayWidth: quarterTurn ? height : stretchedWidth,
    displayHeight: quarterTurn ? stretchedWidth : height,
    fps: { avg: parseRatio(video.avg_frame_rate) ?? 0, r: parseRatio(video.r_frame_rate) ?? 0 },
    isVfr: isVariableFrameRate(output.packets ?? [], video.index),
    pixFmt,
    interlaced: ['tt', 'bb', 'tb', 'bt'].includes(video.field_order ?? ''),
    bitDepth: bitDepth(video.bits_per_raw_sample, pixFmt),
    colorTransfer: known(transfer),
    colorPrimaries: known(video.color_primaries),
    colorSpace: known(video.color_space),
    colorRange: known(video.color_range),
    hdr: HDR_TRANSFERS[transfer ?? ''],
    hasAudio: audio !== undefined,
    audioSampleRate: audio ? positiveNumber(audio.sample_rate) : undefined,
    audioChannels: audio?.channels,
    duration,
  };
}

async function runProbe(
  file: string,
  ffprobePath: string,
  options: ProbeOptions,
  invalid: (reason: string, details?: unknown) => VidataError,
): Promise<ProbeOutput> {
  const args = [
    '-v', 'error',
    '-print_format', 'json',
    '-show_format',
    '-show_streams',
    // Packet timestamps of the first packets only, to tell constant from variable frame rate.
    '-show_entries', 'packet=stream_index,pts',
    '-read_intervals', `%+#${PACKETS_FOR_TIMING}`,
    ...localInput(file),
  ]; // prettier-ignore
  let stdout: Buffer;
  try {
    ({ stdout } = await runTool(ffprobePath, args, {
      timeoutMs: options.timeoutMs ?? 20_000,
      signal: options.signal,
    }));
  } catch (error) {
    if (error instanceof ToolFailure && !error.timedOut) {
      throw invalid(`ffprobe cannot read it (${stderrTail(error.stderr, 1) || error.message})`, {
        stderr: stderrTail(error.stderr),
      });
    }
    if (error instanceof ToolFailure) {
      throw new VidataError('FFMPEG_FAILED', `Probing the clip timed out: ${error.message}.`, {
        field: options.field,
        details: { stderr: stderrTail(error.stderr) },
        cause: error,
      });
    }
    throw error;
  }
  try {
    return JSON.parse(stdout.toString('utf8')) as ProbeOutput;
  } catch (cause) {
    throw new VidataError('FFMPEG_FAILED', 'ffprobe printed output that is not JSON.', { cause });
  }
}

/**
 * Returns when the video ends, in seconds from the start of the file's first stream. ffmpeg starts
 * its timeline there, so a video that starts after the sound (an edit list in phone clips) lasts
 * its own duration plus that delay.
 */
function videoEnd(video: ProbeStream, format: ProbeOutput['format']): number | undefined {
  const own = positiveNumber(video.duration);
  if (own === undefined) return positiveNumber(format?.duration);
  const delay = Number(video.start_time) - Number(format?.start_time ?? video.start_time);
  return Number.isFinite(delay) && delay > 0 ? own + delay : own;
}

function positiveNumber(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Parses "30000/1001" or "4:3"; undefined for "0/0", "0:1" and missing values. */
function parseRatio(text: string | undefined): number | undefined {
  const match = text?.match(/^(\d+)[/:](\d+)$/);
  if (!match) return undefined;
  const value = Number(match[1]) / Number(match[2]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function known(tag: string | undefined): string | undefined {
  return tag === undefined || tag === 'unknown' || tag === 'unspecified' ? undefined : tag;
}

/**
 * Returns the clockwise display rotation in degrees, from 0 to 359. ffprobe reports the display
 * matrix's angle counter-clockwise in `side_data_list` (checked with ffprobe 5.1 and 6.1). The
 * clockwise `rotate` tag is read when a file or an older ffprobe gives only that.
 */
function clockwiseRotation(stream: ProbeStream): number {
  const matrix = stream.side_data_list?.find((s) => s.side_data_type === 'Display Matrix');
  let degrees = 0;
  if (matrix?.rotation !== undefined) degrees = -matrix.rotation;
  else if (stream.tags?.rotate !== undefined) degrees = Number(stream.tags.rotate) || 0;
  return ((Math.round(degrees) % 360) + 360) % 360;
}

function bitDepth(bitsPerRawSample: string | undefined, pixFmt: string): number {
  const declared = Number(bitsPerRawSample);
  if (Number.isInteger(declared) && declared > 0) return declared;
  const match = pixFmt.match(/p(9|10|12|14|16)(le|be)?$/);
  return match ? Number(match[1]) : 8;
}

/** Tells whether the video packets' timestamps are unevenly spaced (sorted, since B-frames reorder them). */
function isVariableFrameRate(
  packets: readonly { stream_index: number; pts?: number }[],
  stream: number,
): boolean {
  const times = packets
    .filter((p) => p.stream_index === stream && typeof p.pts === 'number')
    .map((p) => p.pts as number)
    .sort((a, b) => a - b);
  const intervals: number[] = [];
  for (let i = 1; i < times.length; i++) intervals.push((times[i] as number) - (times[i - 1] as number));
  if (intervals.length < 2) return false;
  const sorted = [...intervals].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  if (median <= 0) return true;
  return intervals.some((interval) => Math.abs(interval - median) > VFR_TOLERANCE * median);
}
