/**
 * The render engine's orchestrator: one function per stage, in order. Temporary files live in a
 * private folder that is removed whether the render succeeds, fails or is cancelled. The outputs
 * appear at their paths only once both are complete.
 */
import { rm } from 'node:fs/promises';
import { encodeAudio } from './audio.ts';
import { extractCover } from './cover.ts';
import { audioCacheKey, cachedAudio } from './cache/segments.ts';
import { ffmpegVersion, throwIfCancelled } from './ffmpeg.ts';
import { joinChunks } from './join.ts';
import { planRender } from './plan.ts';
import { firstStream, probeMedia } from './probe.ts';
import { ProgressReporter } from './progress.ts';
import { resolveInputs } from './resolve.ts';
import type { RenderRequest, RenderResult } from './types.ts';
import { drawAndEncode } from './video.ts';
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
    // It depends only on the template unless a clip from outside it is heard, so it is cached too.
    const audioKey = audioCacheKey({
      templateVersion: template.version,
      templateDir: template.dir,
      audio: plan.audio,
      duration: plan.duration,
      encoder: plan.encoder,
      ffmpegVersion: await ffmpegVersion(ffmpeg),
    });
    const cache = request.singlePass ? undefined : request.cache;
    const audio = workspace.track(
      cachedAudio(cache, audioKey, workspace, () =>
        encodeAudio({ audio: plan.audio, duration: plan.duration, encoder: plan.encoder, ffmpeg, workspace }),
      ),
    );
    const { chunks, cache: cacheReport } = await drawAndEncode({
      template,
      plan,
      ffmpeg,
      workspace,
      progress,
      threads: request.threads ?? 0,
      cache,
      singlePass: request.singlePass,
      cover: { frame: template.output.coverFrame, file: workspace.file('cover-drawn.jpg') },
    });
    const video = await progress.stage('join', async (report) =>
      joinChunks(chunks, await audio, {
        ffmpeg,
        workspace,
        onFrame: (frame) => report(frame / plan.frameCount),
      }),
    );
    // The cover is usually written while its segment is encoded. A cover frame in a cached chunk is
    // read back from that chunk.
    const cover = await progress.stage('cover', async () => {
      const drawn = chunks.find((chunk) => chunk.cover !== undefined)?.cover;
      return drawn ?? extractCover(chunks, template.output.coverFrame, { ffmpeg, workspace, fps: plan.fps });
    });

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
      ...(cacheReport ? { cache: cacheReport } : {}),
    };
  });
}
