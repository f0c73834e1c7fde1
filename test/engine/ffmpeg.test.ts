import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ffmpegVersion, runFfmpeg } from '../../src/engine/ffmpeg.ts';
import { VidataError } from '../../src/errors.ts';
import { tools } from './media-checks.ts';

describe('runFfmpeg', () => {
  it('reports a missing binary as FFMPEG_NOT_FOUND', async () => {
    const missing = { ffmpeg: '/nonexistent/ffmpeg', ffprobe: '/nonexistent/ffprobe' };
    await assert.rejects(runFfmpeg(missing, { args: ['-version'] }), (error: unknown) => {
      assert.ok(error instanceof VidataError);
      assert.equal(error.code, 'FFMPEG_NOT_FOUND');
      return true;
    });
  });

  it('reports a failing run as FFMPEG_FAILED with the end of stderr', async () => {
    await assert.rejects(
      runFfmpeg(tools, { args: ['-i', '/nonexistent/input.mp4', '-f', 'null', '-'] }),
      (error: unknown) => {
        assert.ok(error instanceof VidataError);
        assert.equal(error.code, 'FFMPEG_FAILED');
        const details = error.details as { exitCode: number; stderrTail: string };
        assert.equal(details.exitCode, 1);
        assert.match(details.stderrTail, /No such file or directory/);
        assert.match(error.message, /No such file or directory/);
        return true;
      },
    );
  });

  it('counts frames from the progress output', async () => {
    const frames: number[] = [];
    await runFfmpeg(tools, {
      args: ['-f', 'lavfi', '-i', 'color=c=black:s=64x64:r=25:d=2', '-f', 'null', '-'],
      onFrame: (frame) => frames.push(frame),
    });
    assert.equal(frames.at(-1), 50);
  });

  it('kills ffmpeg and rejects with RENDER_CANCELLED when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    // An endless source: only the abort can end this run.
    const endless = runFfmpeg(tools, {
      args: ['-f', 'lavfi', '-re', '-i', 'color=c=black:s=64x64:r=25', '-f', 'null', '-'],
      signal: controller.signal,
    });
    await assert.rejects(
      endless,
      (error: unknown) => error instanceof VidataError && error.code === 'RENDER_CANCELLED',
    );
    assert.ok(Date.now() - started < 5000);
  });

  it('reads the build version', async () => {
    assert.match(await ffmpegVersion(tools), /^ffmpeg version /);
  });
});
