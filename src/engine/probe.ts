/** Reading the streams and duration of a media file with ffprobe. */
import { VidataError } from '../errors.ts';
import { runFfprobe } from './ffmpeg.ts';
import type { FfmpegTools } from './types.ts';

export interface StreamInfo {
  index: number;
  type: 'video' | 'audio' | 'other';
  codec: string;
  /** Video only. */
  width?: number;
  height?: number;
  pixelFormat?: string;
  /** Frames per second, from the stream's average frame rate (video only). */
  fps?: number;
  profile?: string;
  /** Frames counted from the container's index, when it states them. */
  frameCount?: number;
  sampleRate?: number;
  channels?: number;
  /** Seconds. */
  duration?: number;
  /** YUV matrix tag, e.g. `bt709` or `smpte170m`; absent when untagged. */
  colorSpace?: string;
  /** `tv` (limited) or `pc` (full); absent when untagged. */
  colorRange?: string;
}

export interface MediaInfo {
  /** Seconds, from the container. */
  duration: number;
  formatName: string;
  streams: StreamInfo[];
}

interface RawStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  avg_frame_rate?: string;
  profile?: string;
  nb_frames?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  color_space?: string;
  color_range?: string;
}

interface RawProbe {
  format?: { duration?: string; format_name?: string };
  streams?: RawStream[];
}

/**
 * Probes `file`. Throws FFMPEG_FAILED when ffprobe cannot read it, with `field` set to `field` so the
 * caller can say which input was broken.
 */
export async function probeMedia(
  tools: FfmpegTools,
  file: string,
  options: { signal?: AbortSignal | undefined; field?: string } = {},
): Promise<MediaInfo> {
  let out: string;
  try {
    out = await runFfprobe(
      tools,
      ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file],
      options.signal,
    );
  } catch (error) {
    if (error instanceof VidataError && error.code === 'FFMPEG_FAILED') {
      throw new VidataError('FFMPEG_FAILED', `Cannot read the media file ${file}: ${error.message}`, {
        field: options.field,
        details: error.details,
        cause: error,
      });
    }
    throw error;
  }
  const raw = JSON.parse(out) as RawProbe;
  return {
    duration: Number(raw.format?.duration ?? 0),
    formatName: raw.format?.format_name ?? '',
    streams: (raw.streams ?? []).map(toStreamInfo),
  };
}

function toStreamInfo(raw: RawStream): StreamInfo {
  const type = raw.codec_type === 'video' || raw.codec_type === 'audio' ? raw.codec_type : 'other';
  const info: StreamInfo = { index: raw.index, type, codec: raw.codec_name ?? '' };
  if (raw.width !== undefined) info.width = raw.width;
  if (raw.height !== undefined) info.height = raw.height;
  if (raw.pix_fmt !== undefined) info.pixelFormat = raw.pix_fmt;
  if (raw.profile !== undefined) info.profile = raw.profile;
  if (raw.avg_frame_rate !== undefined) {
    const [num, den] = raw.avg_frame_rate.split('/').map(Number);
    if (num && den) info.fps = num / den;
  }
  if (raw.nb_frames !== undefined && raw.nb_frames !== 'N/A') info.frameCount = Number(raw.nb_frames);
  if (raw.sample_rate !== undefined) info.sampleRate = Number(raw.sample_rate);
  if (raw.channels !== undefined) info.channels = raw.channels;
  if (raw.duration !== undefined && raw.duration !== 'N/A') info.duration = Number(raw.duration);
  if (raw.color_space !== undefined && raw.color_space !== 'unknown') info.colorSpace = raw.color_space;
  if (raw.color_range !== undefined && raw.color_range !== 'unknown') info.colorRange = raw.color_range;
  return info;
}

/** Returns the first stream of `type`, if any. */
export function firstStream(info: MediaInfo, type: StreamInfo['type']): StreamInfo | undefined {
  return info.streams.find((s) => s.type === type);
}
