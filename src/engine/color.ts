/**
 * The colour space of the video. Every chunk is BT.709, limited range, and its H.264 headers carry
 * these tags, so players convert it back to the RGB the template was designed in. RGB images (text,
 * images, maps, colour backgrounds) are converted with the BT.709 matrix, once per segment, and clips
 * in BT.601 through `colormatrix`.
 */
import type { StreamInfo } from './probe.ts';

/** Output options that tag the video's colour space (VUI fields of the H.264 headers). */
export const OUTPUT_COLOR_ARGS: readonly string[] = [
  '-color_primaries',
  'bt709',
  '-color_trc',
  'bt709',
  '-colorspace',
  'bt709',
  '-color_range',
  'tv',
];

/**
 * The filter that converts an RGB image to the output's YUV. Without it swscale uses BT.601, and a
 * player reading those values as BT.709 shows the welcome coral #ff7a59 as about #ff8557
 * (computed from the two matrices).
 */
export const RGB_TO_OUTPUT = 'scale=out_color_matrix=bt709:out_range=tv';

/** The matrix and range of a clip's YUV pixels. */
export interface ClipColor {
  matrix: 'bt709' | 'bt601';
  fullRange: boolean;
}

/**
 * Reads a clip's matrix and range from its tags. An untagged clip follows the usual player
 * convention: BT.709 from 720 lines up, BT.601 below.
 */
export function clipColor(stream: StreamInfo): ClipColor {
  // NOTE: a template clip in BT.2020 or HDR is read as BT.709 and shows washed out; uploads are
  // converted to BT.709 by the upload stage (src/media), template clips are not.
  const fullRange = stream.colorRange === 'pc' || (stream.pixelFormat?.startsWith('yuvj') ?? false);
  if (stream.colorSpace === 'bt709') return { matrix: 'bt709', fullRange };
  if (stream.colorSpace === 'smpte170m' || stream.colorSpace === 'bt470bg')
    return { matrix: 'bt601', fullRange };
  const lines = Math.min(stream.width ?? 0, stream.height ?? 0);
  return { matrix: lines >= 720 ? 'bt709' : 'bt601', fullRange };
}

/** Returns the filters that bring a clip's frames to the output's matrix and range; none for BT.709. */
export function clipColorFilters(color: ClipColor): string[] {
  return [
    // swscale changes the range of YUV frames but not their matrix, so the range comes first and
    // colormatrix (8-bit 4:2:0, 4:2:2 or 4:4:4) converts the matrix.
    ...(color.fullRange ? ['scale=in_range=pc:out_range=tv', 'format=yuv420p'] : []),
    ...(color.matrix === 'bt601' ? ['colormatrix=bt601:bt709'] : []),
  ];
}
