/**
 * The render engine's orchestrator: one function per stage, in order. Temporary files live in a
 * private folder that is removed whether the render succeeds, fails or is cancelled. The outputs
 * appear at their paths only once both are complete.
 */
import { rm } from 'node:fs/promises';
import { encodeAudio } from './audio.ts';
import { extractCover } from './cover.ts';
import { encodeSegments } from './encode.ts';
import { ffmpegVersion, throwIfCancelled } from './ffmpeg.ts';
import { joinChunks } from './join.ts';
import { planRender } from './plan.ts';
import { firstStream, probeMedia } from './probe.ts';
import { ProgressReporter } from './progress.ts';
import { rasterizeSegments } from './rasterize.ts';
import { resolveInputs } from './resolve.ts';
import type { RenderRequest, RenderResult } from './types.ts';
import { moveFile, withWorkspace } from './workspace.ts';

/**
 * Renders one video and its cover from a validated template and resolved values. Throws a
 * VidataError: RENDER_CANCELLED when `request.signal` aborts, FFMPEG_FAILED or FFMPEG_NOT_FOUND from
 * ffmpeg, and the input errors of the stages (IMAGE_INVALID, TEXT_DOES_NOT_FIT, ADDRESS_NOT_FOUND...).
 */
export async function render(request: RenderRequest): Promise<RenderResult> {
  const { template, ffmpeg } = request;
  const progress = new ProgressReporter(request.onEvent);

  return withWorkspace(request.workDir, request.signal, async (workspace) => {
    const signal = workspace.signal;
    const scenes = await progress.stage('resolve', () => resolveInputs({ ...request, workspace }));
    const plan = await progress.stage('plan', async () =>
      planRender({ template, scenes, ffmpegVersion: await ffmpegVersion(ffmpeg) }),
    );
    // The soundtrack does not depend on the pictures: it is encoded while they are drawn and encoded.
    const audio = workspace.track(
      encodeAudio({ audio: plan.audio, duration: plan.duration, encoder: plan.encoder, ffmpeg, workspace }),
    );
    const visuals = await progress.stage('raster', (report) =>
      rasterizeSegments(plan.segments, { template, workspace }, (done) =>
        report(done / plan.segments.length),
      ),
    );
    const chunks = await progress.stage('encode', (report) =>
      encodeSegments(visuals, {
        plan,
        ffmpeg,
        workspace,
        threads: request.threads ?? 0,
        onFrames: (frames) => report(frames / plan.frameCount),
      }),
    );
    const video = await progress.stage('join', async (report) =>
      joinChunks(chunks, await audio, {
        ffmpeg,
        workspace,
        onFrame: (frame) => report(frame / plan.frameCount),
      }),
    );
    const cover = await progress.stage('cover', () =>
      extractCover(chunks, template.output.coverFrame, { ffmpeg, workspace, fps: plan.fps }),
    );

    const info = await probeMedia(ffmpeg, video, { signal });
    throwIfCancelled(signal);
    await moveFile(video, request.output.video);
    try {
      await moveFile(cover, request.output.cover);
    } catch (error) {
      // Without its cover the video is not a finished output either.
      await rm(request.output.video, { force: true });
      throw error;
    }
    return {
      video: request.output.video,
      cover: request.output.cover,
      duration: info.duration,
      width: firstStream(info, 'video')?.width ?? plan.width,
      height: firstStream(info, 'video')?.height ?? plan.height,
      fps: plan.fps,
      frameCount: plan.frameCount,
      timings: progress.timings,
    };
  });
}
