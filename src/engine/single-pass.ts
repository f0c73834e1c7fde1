/**
 * The full single pass: every scene drawn and encoded by one ffmpeg process, as one chunk. It does
 * not use the segment cache; `vidata render --no-cache` uses it to compare and to debug the cached
 * path, whose output must match it.
 */
import { videoCodecArgs } from './codec.ts';
import { composeSegment } from './compose.ts';
import type { Chunk, EncodeContext } from './encode.ts';
import { runFfmpeg } from './ffmpeg.ts';
import type { SegmentVisuals } from './rasterize.ts';

/** Encodes all segments, in order, in one ffmpeg run; returns the one chunk. */
export async function encodeSinglePass(
  segments: readonly SegmentVisuals[],
  context: EncodeContext,
): Promise<Chunk> {
  const { plan, workspace } = context;
  const inputArgs: string[] = [];
  const chains: string[] = [];
  const outputs: string[] = [];
  let inputs = 0;

  segments.forEach((visuals, position) => {
    const composed = composeSegment(visuals, plan);
    const offset = inputs;
    // Each scene's graph numbers its inputs from 0 and reuses the same labels; they are renumbered
    // and prefixed here. The graphs contain only numbers, labels and filter names, never a path or
    // a user's text, so these rewrites cannot meet a bracket of anything else.
    const graph = composed.filterGraph
      .replace(/\[(\d+):v\]/g, (_, n: string) => `[${Number(n) + offset}:v]`)
      .replace(/\[([A-Za-z_]\w*)\]/g, (_, label: string) => `[s${position}_${label}]`);
    chains.push(graph);
    inputArgs.push(...composed.inputArgs);
    inputs += composed.inputArgs.filter((arg) => arg === '-i').length;
    const out = `scene${position}`;
    // concat needs the same sample aspect ratio on every input.
    chains.push(`[s${position}_${composed.output}]setsar=1,format=yuv420p[${out}]`);
    outputs.push(out);
  });

  chains.push(
    `${outputs.map((o) => `[${o}]`).join('')}concat=n=${outputs.length}:v=1:a=0,settb=1/${plan.fps},setpts=N[video]`,
  );
  const frames = segments.reduce((sum, s) => sum + s.segment.frames, 0);

  const file = workspace.file('chunk-all.mp4');
  await runFfmpeg(context.ffmpeg, {
    args: [
      ...inputArgs,
      '-filter_complex',
      chains.join(';'),
      '-map',
      '[video]',
      '-frames:v',
      String(frames),
      '-r',
      String(plan.fps),
      ...videoCodecArgs(plan.encoder, plan.fps),
      '-threads',
      String(context.threads),
      file,
    ],
    signal: workspace.signal,
    onFrame: context.onFrames,
  });
  context.onFrames?.(frames);
  return { file, frames, index: 0 };
}
