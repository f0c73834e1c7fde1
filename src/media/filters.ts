/**
 * Filter chains of the clip normalization, built from probed numbers and fixed names only: no value
 * typed by a user ever reaches a filter string. Colour names come from ffprobe and are passed on only
 * when they appear in the allow-lists below, which are the names zscale (ffmpeg 4.1) accepts.
 */
import type { ClipInfo } from './probe.ts';

export type Fit = 'cover' | 'contain';

/** Scaled size and the crop or padding that brings it to the target frame. */
export interface FitGeometry {
  scaledWidth: number;
  scaledHeight: number;
  /** `crop` for cover (the overflow is cut evenly), `pad` for contain (bars are added evenly). */
  mode: 'crop' | 'pad';
  x: number;
  y: number;
}

const TRANSFERS = new Set([
  'bt709',
  'smpte170m',
  'bt470bg',
  'bt2020-10',
  'bt2020-12',
  'smpte2084',
  'arib-std-b67',
  'linear',
  'iec61966-2-1',
]);
const PRIMARIES = new Set([
  'bt709',
  'bt2020',
  'smpte170m',
  'bt470bg',
  'bt470m',
  'smpte240m',
  'smpte431',
  'smpte432',
  'film',
]);
const MATRICES = new Set(['bt709', 'bt2020nc', 'bt2020c', 'smpte170m', 'bt470bg', 'fcc', 'ycgco']);

/** Half of a size difference, rounded down to an even number so chroma planes stay aligned. */
const evenHalf = (difference: number): number => 2 * Math.floor(difference / 4);
const evenRound = (value: number): number => Math.max(2, 2 * Math.round(value / 2));

/**
 * Computes how a picture of `displayWidth` x `displayHeight` (square pixels, rotation applied) fills
 * `width` x `height`: cover scales it until both sides are covered and crops the centre, contain
 * scales it until it fits and pads the rest. Sizes and offsets are even, as yuv420p needs.
 */
export function fitGeometry(
  source: { displayWidth: number; displayHeight: number },
  target: { width: number; height: number; fit: Fit },
): FitGeometry {
  const { width, height, fit } = target;
  const scaleX = width / source.displayWidth;
  const scaleY = height / source.displayHeight;
  if (fit === 'cover') {
    const scale = Math.max(scaleX, scaleY);
    const scaledWidth = Math.max(width, evenRound(source.displayWidth * scale));
    const scaledHeight = Math.max(height, evenRound(source.displayHeight * scale));
    return {
      scaledWidth,
      scaledHeight,
      mode: 'crop',
      x: evenHalf(scaledWidth - width),
      y: evenHalf(scaledHeight - height),
    };
  }
  const scale = Math.min(scaleX, scaleY);
  const scaledWidth = Math.min(width, evenRound(source.displayWidth * scale));
  const scaledHeight = Math.min(height, evenRound(source.displayHeight * scale));
  return {
    scaledWidth,
    scaledHeight,
    mode: 'pad',
    x: evenHalf(width - scaledWidth),
    y: evenHalf(height - scaledHeight),
  };
}

/** Tells whether a clip is HDR or BT.2020, which swscale cannot convert and zscale must. */
export function needsZscale(info: ClipInfo): boolean {
  const wideGamut =
    info.colorPrimaries === 'bt2020' || info.colorSpace === 'bt2020nc' || info.colorSpace === 'bt2020c';
  return info.hdr !== undefined || wideGamut;
}

/**
 * Returns the zscale filters that resize an HDR (PQ or HLG) or wide-gamut clip to `size` and convert
 * it to 8-bit BT.709 SDR, or an empty list when swscale can do the conversion alone. The first zscale
 * resizes, so the float stages run at the output size. A 5 s 1080p HLG clip to 720p took 6.2 s of
 * CPU this way and 9.7 s with tone mapping at full size (ffmpeg 4.1 static build, two cores).
 *
 * HDR goes through linear light. First zscale linearizes with 100 cd/m² as nominal peak (SDR
 * reference white) and converts the primaries to BT.709. Then tonemap's Mobius curve keeps linear
 * values below 0.3 (30 cd/m² here) unchanged and compresses the highlights above. Last, zscale applies the BT.709
 * transfer and matrix. Mobius was chosen over Hable because Hable darkened the whole picture (the
 * fixtures' mid-grey 128 became 83 with Hable and 125 with Mobius).
 */
export function colorFilters(info: ClipInfo, size: { width: number; height: number }): string[] {
  if (!needsZscale(info)) return [];
  const hdrTransfer = info.hdr === 'pq' ? 'smpte2084' : 'arib-std-b67';
  const input = [
    `w=${size.width}:h=${size.height}:filter=bicubic`,
    `tin=${allowed(TRANSFERS, info.colorTransfer, info.hdr === undefined ? 'bt709' : hdrTransfer)}`,
    `pin=${allowed(PRIMARIES, info.colorPrimaries, 'bt2020')}`,
    `min=${allowed(MATRICES, info.colorSpace, 'bt2020nc')}`,
    `rin=${info.colorRange === 'pc' ? 'full' : 'limited'}`,
  ].join(':');
  if (info.hdr === undefined) {
    return [`zscale=${input}:t=bt709:p=bt709:m=bt709:r=limited`, 'format=yuv420p'];
  }
  return [
    `zscale=${input}:t=linear:npl=100`,
    'format=gbrpf32le',
    'zscale=p=bt709',
    'tonemap=tonemap=mobius:desat=0',
    'zscale=t=bt709:m=bt709:r=limited',
    'format=yuv420p',
  ];
}

function allowed(list: ReadonlySet<string>, value: string | undefined, fallback: string): string {
  return value !== undefined && list.has(value) ? value : fallback;
}

/**
 * Returns the YUV matrix of the source as swscale names it. Untagged clips follow the usual player
 * convention: BT.709 from 720 lines up, BT.601 below.
 */
function sourceMatrix(info: ClipInfo): 'bt709' | 'bt601' {
  if (info.colorSpace === 'bt709') return 'bt709';
  if (info.colorSpace === 'smpte170m' || info.colorSpace === 'bt470bg') return 'bt601';
  return Math.min(info.width, info.height) >= 720 ? 'bt709' : 'bt601';
}

export interface VideoChainOptions {
  width: number;
  height: number;
  fps: number;
  fit: Fit;
  /** Frames the output must have: shorter input is extended by repeating its last frame. */
  frameCount: number;
  /** Colour of the bars added by `contain`, as `0xRRGGBB`. */
  padColor: string;
}

/**
 * Builds the video filter chain. Rotation is not in it: ffmpeg applies the display matrix while
 * decoding (autorotate, on by default since ffmpeg 2.7) and does not copy it to the output.
 */
export function videoFilterChain(info: ClipInfo, options: VideoChainOptions): string {
  const geometry = fitGeometry(info, options);
  const size = { width: geometry.scaledWidth, height: geometry.scaledHeight };
  const color = colorFilters(info, size);
  const swscale = [
    `scale=w=${size.width}:h=${size.height}`,
    'flags=bicubic',
    `in_color_matrix=${sourceMatrix(info)}`,
    'out_color_matrix=bt709',
    `in_range=${info.colorRange === 'pc' ? 'pc' : 'tv'}`,
    'out_range=tv',
  ].join(':');
  const place =
    geometry.mode === 'crop'
      ? `crop=w=${options.width}:h=${options.height}:x=${geometry.x}:y=${geometry.y}`
      : `pad=w=${options.width}:h=${options.height}:x=${geometry.x}:y=${geometry.y}:color=${options.padColor}`;
  return [
    // Interlaced frames are made progressive first, one frame per frame (not per field).
    ...(info.interlaced ? ['yadif=mode=send_frame:deint=interlaced'] : []),
    // Constant frame rate from the first frame on: start_time=0 repeats the first frame when video
    // starts after the audio, so both stay in sync.
    `fps=fps=${options.fps}:start_time=0`,
    ...(color.length > 0 ? color : [swscale]),
    place,
    'setsar=1',
    'format=yuv420p',
    // Clips whose video ends a little early (variable frame rate, rounding) are held on their last
    // frame, then every output has exactly `frameCount` frames. Timestamps are rewritten from the
    // frame count because ffmpeg 4.1's tpad numbers its copies from the frame's original position.
    `tpad=stop_mode=clone:stop=${Math.max(2, Math.ceil(options.fps / 2))}`,
    `setpts=N/(${options.fps}*TB)`,
    `trim=end_frame=${options.frameCount}`,
  ].join(',');
}

export const OUTPUT_SAMPLE_RATE = 48_000;

/**
 * Builds the audio chain: resampled to 48 kHz stereo, timestamp gaps filled with silence, then padded
 * or cut to exactly `sampleCount` samples. Without an audio stream it is a silent source, because
 * every normalized clip has one audio track.
 */
export function audioFilterChain(info: ClipInfo, sampleCount: number): string {
  const end = `atrim=end_sample=${sampleCount}`;
  if (!info.hasAudio) return `anullsrc=r=${OUTPUT_SAMPLE_RATE}:cl=stereo,${end}`;
  return [
    // Mono is copied to both channels at its own level; the default downmix matrix would lower it by 3 dB.
    ...(info.audioChannels === 1 ? ['pan=stereo|c0=c0|c1=c0'] : []),
    // async=1 fills gaps in the audio timestamps with silence and first_pts=0 pads a late start,
    // keeping sound and picture aligned.
    `aresample=${OUTPUT_SAMPLE_RATE}:async=1:first_pts=0`,
    `aformat=sample_fmts=fltp:sample_rates=${OUTPUT_SAMPLE_RATE}:channel_layouts=stereo`,
    'apad',
    end,
    'asetpts=PTS-STARTPTS',
  ].join(',');
}
