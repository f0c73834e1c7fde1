/**
 * Fitting a normalized clip to the time slot of its layer: a longer clip is trimmed, a shorter one
 * is looped or frozen on its last frame, as the template's `Fill` sets. The result is a set of ffmpeg
 * arguments and filter chains that the video layer encoder splices into its own command.
 */
import { OUTPUT_SAMPLE_RATE } from './filters.ts';
import { localInput } from './run.ts';

export type SlotFill = 'loop' | 'freeze';

export interface SlotFitOptions {
  /** A clip written by `normalizeClip` (constant frame rate, 48 kHz audio); `NormalizedClip` fits. */
  clip: { path: string; fps: number; frameCount: number };
  /** Seconds the clip must fill. */
  slotDuration: number;
  fill: SlotFill;
  /** Seconds into the clip where the slot starts; default 0. A looped clip wraps to its start. */
  offset?: number;
}

export interface SlotFit {
  /** How the slot is filled: the clip is long enough (`trim`), or it is looped or frozen. */
  mode: 'trim' | 'loop' | 'freeze';
  /** Arguments that open the clip as one ffmpeg input, `-i` and the path included (see `localInput`). */
  inputArgs: string[];
  /**
   * Filter chain for the input's video stream (`[N:v]<videoFilter>[out]`): exactly `frameCount`
   * frames at the clip's frame rate, timestamps from 0.
   */
  videoFilter: string;
  /** Filter chain for the input's audio stream (`[N:a]<audioFilter>[out]`): exactly `sampleCount` samples. */
  audioFilter: string;
  frameCount: number;
  sampleCount: number;
}

/**
 * Returns the input arguments and filter chains that make `clip` last exactly `slotDuration`
 * (rounded to whole frames). The chains contain only numbers computed here, never user text.
 */
export function fitClipToSlot(options: SlotFitOptions): SlotFit {
  const { clip, slotDuration, fill } = options;
  if (!(slotDuration > 0)) throw new RangeError(`slotDuration must be > 0, got ${slotDuration}`);
  if (!(clip.frameCount >= 1 && clip.fps > 0))
    throw new RangeError('clip must have at least one frame and fps > 0');
  const offset = options.offset ?? 0;
  if (!(offset >= 0)) throw new RangeError(`offset must be >= 0, got ${offset}`);

  const frameCount = Math.max(1, Math.round(slotDuration * clip.fps));
  const sampleCount = Math.round((frameCount / clip.fps) * OUTPUT_SAMPLE_RATE);
  const samplesPerClip = Math.round((clip.frameCount / clip.fps) * OUTPUT_SAMPLE_RATE);
  let startFrame = Math.round(offset * clip.fps);
  // A looped clip wraps around; a frozen or trimmed one starts no later than its last frame.
  startFrame = fill === 'loop' ? startFrame % clip.frameCount : Math.min(startFrame, clip.frameCount - 1);
  const startSample = Math.min(Math.round((startFrame / clip.fps) * OUTPUT_SAMPLE_RATE), samplesPerClip);
  const available = clip.frameCount - startFrame;

  // Timestamps are rewritten from frame and sample counts before any trim: the demuxer's loop and
  // ffmpeg 4.1's tpad leave gaps that the encoder would fill with duplicated frames.
  const videoTimestamps = `setpts=N/(${clip.fps}*TB)`;
  const audioTimestamps = 'asetpts=N/SR/TB';
  const videoTrim = [
    videoTimestamps,
    `trim=start_frame=${startFrame}:end_frame=${startFrame + frameCount}`,
    'setpts=PTS-STARTPTS',
  ].join(',');
  const audioTrim = [
    audioTimestamps,
    `atrim=start_sample=${startSample}:end_sample=${startSample + sampleCount}`,
    'asetpts=PTS-STARTPTS',
  ].join(',');

  if (available >= frameCount) {
    return {
      mode: 'trim',
      inputArgs: localInput(clip.path),
      videoFilter: videoTrim,
      audioFilter: audioTrim,
      frameCount,
      sampleCount,
    };
  }
  if (fill === 'loop') {
    return {
      mode: 'loop',
      // The demuxer replays the file endlessly with continuous timestamps; the trims end it. The
      // loop filter would do the same but keeps every decoded frame in memory.
      inputArgs: ['-stream_loop', '-1', ...localInput(clip.path)],
      videoFilter: videoTrim,
      audioFilter: audioTrim,
      frameCount,
      sampleCount,
    };
  }
  return {
    mode: 'freeze',
    inputArgs: localInput(clip.path),
    videoFilter: [
      `trim=start_frame=${startFrame}`,
      `tpad=stop_mode=clone:stop=${frameCount - available}`,
      videoTimestamps,
      `trim=end_frame=${frameCount}`,
    ].join(','),
    // Sound stops with the clip; silence fills the frozen part.
    audioFilter: [
      audioTimestamps,
      `atrim=start_sample=${startSample}`,
      'asetpts=PTS-STARTPTS',
      'apad',
      `atrim=end_sample=${sampleCount}`,
    ].join(','),
    frameCount,
    sampleCount,
  };
}
