/**
 * Cover stage: a JPEG of one frame of the video (the template's `output.coverFrame`), read from the
 * chunk that contains it, which is shorter to seek in than the whole video.
 */
import { num } from './animation.ts';
import type { Chunk } from './encode.ts';
import { runFfmpeg } from './ffmpeg.ts';
import type { FfmpegTools } from './types.ts';
import type { Workspace } from './workspace.ts';

export interface CoverContext {
  ffmpeg: FfmpegTools;
  workspace: Workspace;
  fps: number;
}

/** Writes the JPEG of frame `frame` of the joined chunks into the workspace; returns its path. */
export async function extractCover(
  chunks: readonly Chunk[],
  frame: number,
  context: CoverContext,
): Promise<string> {
  let first = 0;
  let chunk = chunks.at(-1) as Chunk;
  for (const candidate of chunks) {
    if (frame < first + candidate.frames) {
      chunk = candidate;
      break;
    }
    first += candidate.frames;
  }
  const local = Math.min(Math.max(0, frame - first), chunk.frames - 1);
  // An input seek decodes from the previous keyframe and drops the frames before the position. Seeking
  // half a frame early keeps the wanted frame first whatever the rounding of its timestamp.
  const seek = local > 0 ? ['-ss', num((local - 0.5) / context.fps)] : [];
  const file = context.workspace.file('cover.jpg');
  await runFfmpeg(context.ffmpeg, {
    args: [...seek, '-i', chunk.file, '-frames:v', '1', '-q:v', '2', '-update', '1', file],
    signal: context.workspace.signal,
  });
  return file;
}
