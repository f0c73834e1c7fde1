/**
 * Uploaded clips are probed and normalized once, at upload, into the format of the project's
 * template: its frame rate, a size the render only has to scale down or keep, square pixels, 8-bit
 * BT.709 SDR colours and AAC 48 kHz stereo sound. Every render of the clip then starts from the same
 * clean file, and a clip that cannot be used is refused before anything is stored.
 */
import path from 'node:path';
import { VidataError } from '../../errors.ts';
import type { FfmpegTools } from '../../engine/types.ts';
import { normalizeClip } from '../../media/normalize.ts';
import { probeClip, type ClipInfo } from '../../media/probe.ts';
import type { Template } from '../../template/load.ts';

export interface ClipUploadOptions {
  /** The raw upload. It is only read. */
  input: string;
  /** Folder where the normalized MP4 is written; it appears there only once complete. */
  outputDir: string;
  template: Template;
  ffmpeg: FfmpegTools;
  /** Name of the clip in error messages: the sender's file name, or "file". */
  label: string;
  /** Stops ffmpeg when the client goes away. */
  signal?: AbortSignal | undefined;
}

export interface NormalizedUpload {
  /** The normalized MP4, inside `outputDir`. */
  file: string;
  width: number;
  height: number;
  /** Seconds of the normalized clip: its frame count over the template's frame rate. */
  duration: number;
}

/** A box a clip is shown in, and how the render fits the clip into it. */
interface Slot {
  width: number;
  height: number;
  fit: 'cover' | 'contain';
}

/**
 * Probes and normalizes an uploaded clip. Throws VIDEO_INVALID or VIDEO_TOO_LARGE (field `file`) for a
 * clip that cannot be used, and leaves no output behind when it fails.
 */
export async function normalizeUpload(options: ClipUploadOptions): Promise<NormalizedUpload> {
  const errorOptions = { label: options.label, field: 'file', signal: options.signal };
  const info = await probeClip(options.input, options.ffmpeg.ffprobe, errorOptions);
  const size = clipSize(info, clipSlots(options.template));
  const output = path.join(options.outputDir, 'clip.mp4');
  // NOTE: conversions are not queued, so concurrent uploads each run an ffmpeg beside the renders.
  try {
    const clip = await normalizeClip({
      ...errorOptions,
      input: options.input,
      output,
      ...size,
      fps: options.template.output.fps,
      // The size keeps the clip's shape to within a pixel, so cover only trims that rounding.
      fit: 'cover',
      ffmpeg: options.ffmpeg,
      info,
    });
    return { file: clip.path, width: clip.width, height: clip.height, duration: clip.duration };
  } catch (error) {
    // The probe has read the clip, so ffmpeg failing on it means frames it cannot decode.
    if (error instanceof VidataError && error.code === 'FFMPEG_FAILED') {
      throw new VidataError(
        'VIDEO_INVALID',
        `The clip "${options.label}" cannot be used: its frames cannot be decoded.`,
        { field: 'file', details: error.details, cause: error },
      );
    }
    throw error;
  }
}

/**
 * Lists every box a VID_ variable can be shown in: the variable's declared size and the box of each
 * layer that shows it. A template without VID_ variables has one slot, its output frame.
 */
export function clipSlots(template: Template): Slot[] {
  const slots: Slot[] = [];
  for (const variable of template.variables) {
    if (variable.kind === 'video') {
      slots.push({ width: variable.Width, height: variable.Height, fit: variable.Fit });
    }
  }
  for (const scene of template.scenes) {
    for (const layer of scene.layers) {
      if (layer.type !== 'video' || layer.variable === undefined) continue;
      const variable = template.variables.find((v) => v.Name === layer.variable);
      const fit = layer.fit ?? (variable?.kind === 'video' ? variable.Fit : 'cover');
      slots.push({ width: layer.box.w, height: layer.box.h, fit });
    }
  }
  if (slots.length === 0) {
    slots.push({ width: template.output.width, height: template.output.height, fit: 'contain' });
  }
  return slots;
}

/**
 * Computes the size the clip is stored at: its displayed shape (rotation and pixel aspect ratio
 * applied), as large as the most demanding slot needs, never larger than the clip itself, with even
 * sides for yuv420p. A `contain` slot needs the clip to fit inside the box. A `cover` slot needs it
 * to cover the box, because a clip that only fits would be scaled up there and lose detail.
 */
export function clipSize(
  info: Pick<ClipInfo, 'displayWidth' | 'displayHeight'>,
  slots: readonly Slot[],
): { width: number; height: number } {
  const { displayWidth: width, displayHeight: height } = info;
  const needed = slots.map((slot) => {
    const across = slot.width / width;
    const down = slot.height / height;
    return slot.fit === 'cover' ? Math.max(across, down) : Math.min(across, down);
  });
  const scale = Math.min(1, Math.max(...needed));
  return { width: evenSide(width * scale), height: evenSide(height * scale) };
}

function evenSide(side: number): number {
  return Math.max(2, 2 * Math.round(side / 2));
}
