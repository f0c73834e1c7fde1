/**
 * Encoder settings shared by every segment of every render. Segments are joined by stream copy, which
 * works only when all of them carry identical H.264 parameter sets: same build, preset, rate control,
 * profile, pixel format, size and frame rate. These settings are therefore one constant, and they
 * belong in a segment's cache key.
 */

export interface EncoderSettings {
  codec: 'libx264';
  /** Measured on a 720p template: see `docs/templates.md`, "Encoding". */
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

/** Output arguments that encode a segment's video so that it can be joined by stream copy. */
export function videoCodecArgs(settings: EncoderSettings, fps: number): string[] {
  const x264Params = [
    // Makes x264 keep its headers identical across separately encoded files.
    'stitchable=1',
    // The 2018 static x264 build runs trellis quantization even where the preset turns it off,
    // which made ultrafast 4.5x slower; state it explicitly for every preset.
    ...(settings.preset === 'ultrafast' || settings.preset === 'superfast' ? ['trellis=0'] : []),
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
    '-an',
  ];
}
