/**
 * Join stage: the chunks are concatenated by the concat demuxer and copied, not re-encoded, and the
 * soundtrack is muxed beside them by copy. `+faststart` puts the index (`moov`) before the media data,
 * so players can start before the whole file has arrived.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Chunk } from './encode.ts';
import { runFfmpeg } from './ffmpeg.ts';
import type { FfmpegTools } from './types.ts';
import type { Workspace } from './workspace.ts';

export interface JoinContext {
  ffmpeg: FfmpegTools;
  workspace: Workspace;
  /** Receives the number of frames written so far. */
  onFrame?: (frame: number) => void;
}

/** Joins `chunks` and `audioFile` into one MP4 in the workspace; returns its path. */
export async function joinChunks(
  chunks: readonly Chunk[],
  audioFile: string,
  context: JoinContext,
): Promise<string> {
  const list = context.workspace.file('chunks.ffconcat');
  // Chunk names are the engine's own ("chunk-0001.mp4"), so they need no quoting beyond the quotes.
  const lines = ['ffconcat version 1.0', ...chunks.map((c) => `file '${path.basename(c.file)}'`)];
  await writeFile(list, `${lines.join('\n')}\n`);

  const output = context.workspace.file('video.mp4');
  await runFfmpeg(context.ffmpeg, {
    args: [
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      list,
      '-i',
      audioFile,
      '-map',
      '0:v:0',
      '-map',
      '1:a:0',
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      output,
    ],
    signal: context.workspace.signal,
    onFrame: context.onFrame,
  });
  return output;
}
