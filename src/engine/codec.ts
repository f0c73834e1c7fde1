/**
 * Encoder settings shared by every segment of every render. Segments are joined by stream copy, which
 * works only when all of them carry identical H.264 parameter sets: same build, preset, rate control,
 * profile, pixel format, size and frame rate. These settings are therefore one constant, and they
 * belong in a segment's cache key.
 */
import { OUTPUT_COLOR_ARGS } from './color.ts';

export interface EncoderSettings {
  codec: 'libx264';
  /**
   * x264 preset. `veryfast` was measured on the welcome template's 7-second profile scene at 720p:
   * 1.6x the CPU time of `ultrafast` for a file 2.5x smaller at the same CRF, while `superfast`
   * cost nearly as much as `veryfast` for an `ultrafast`-sized file (docs/templates.md, "Encoding").
   */
  preset: string;
  /** Constant rate factor: quality-driven, so still scenes cost few bits. */
  crf: number;
  profile: 'high';
  pixelFormat: 'yuv420p';
  /** Seconds between keyframes inside a segment, so players can seek. */
  keyframeSeconds: number;
  audio: { codec: 'aac'; bitrate: string; sampleRate: number; channels: number };
}

export const ENCODER: EncoderSettings = Object.freeze({
  codec: 'libx264',
  preset: 'veryfast',
  crf: 23,
  profile: 'high',
  pixelFormat: 'yuv420p',
  keyframeSeconds: 2,
  audio: Object.freeze({ codec: 'aac' as const, bitrate: '128k', sampleRate: 48000, channels: 2 }),
});

/**
 * Bumped whenever the engine's drawing or filter graphs change what a segment looks like, so cached
 * segments made by older code are never reused.
 */
export const ENGINE_VERSION = 1;

/** The MP4 video timescale of every segment: segments at different timescales join with wrong durations. */
export function videoTimescale(fps: number): number {
  return fps * 1000;
}

/**
 * How hard x264 searches for a compact encoding. `full` is the preset's own search, used for segments
 * encoded once and cached. `fast` is for the personalized segments encoded for every Vidata: it
 * changes only choices made inside the slices (full-pixel diamond motion search, no sub-pixel
 * refinement, no sub-partitions), never the SPS and PPS, whose bytes were compared equal with
 * `veryfast`'s, so its chunks join with cached ones. Measured on the personalized span of the welcome
 * template's profile scene (198 frames at 720p, one thread, best of three): 0.70x the CPU time of
 * `veryfast` for a 1.05x larger chunk. Turning off adaptive quantization, the lookahead or mbtree as
 * well saved little more CPU and changed the rate control, so the chunk's quality would no longer
 * match its cached neighbours' (mbtree off: 1.6x the bytes).
 */
export type EncoderAnalysis = 'full' | 'fast';

/**
 * `rc-lookahead=5` (veryfast's own is 10) keeps fewer frames in the encoder's memory. Measured on the
 * welcome template's profile span at 720p with one thread: 96 MB peak resident against 111 MB, and
 * a 9 % smaller chunk at 1.3 dB lower PSNR against a near-lossless encode. It changes no header byte.
 */
const FAST_ANALYSIS_PARAMS = ['subme=0', 'me=dia', 'partitions=none', 'rc-lookahead=5'];

/** Output arguments that encode a segment's video so that it can be joined by stream copy. */
export function videoCodecArgs(
  settings: EncoderSettings,
  fps: number,
  analysis: EncoderAnalysis = 'full',
): string[] {
  const x264Params = [
    // Makes x264 keep its headers identical across separately encoded files.
    'stitchable=1',
    ...(analysis === 'fast' ? FAST_ANALYSIS_PARAMS : []),
    // With ultrafast, the 2018 static ffmpeg build still runs trellis quantization (its files
    // change when trellis=0 is given), which cost 1.3x the CPU on the welcome template's profile
    // scene. Other presets already have it off: their files are identical with and without.
    ...(settings.preset === 'ultrafast' ? ['trellis=0'] : []),
  ].join(':');
  return [
    '-c:v',
    settings.codec,
    '-preset',
    settings.preset,
    '-crf',
    String(settings.crf),
    '-profile:v',
    settings.profile,
    '-pix_fmt',
    settings.pixelFormat,
    '-x264-params',
    x264Params,
    '-g',
    String(Math.max(1, Math.round(settings.keyframeSeconds * fps))),
    '-video_track_timescale',
    String(videoTimescale(fps)),
    ...OUTPUT_COLOR_ARGS,
    '-an',
  ];
}
