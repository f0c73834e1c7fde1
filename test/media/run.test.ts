import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VidataError } from '../../src/errors.ts';
import { runTool, ToolFailure } from '../../src/media/run.ts';
import { tools } from './helpers.ts';

/** An ffmpeg run that never ends on its own: an endless test pattern decoded to nowhere. */
const ENDLESS = [
  '-v',
  'error',
  '-nostdin',
  '-f',
  'lavfi',
  '-i',
  'testsrc=size=32x32:rate=25',
  '-f',
  'null',
  '-',
];

describe('runTool', () => {
  it('returns standard output', async () => {
    const { stdout } = await runTool(tools.ffprobe, ['-version'], { timeoutMs: 10_000 });
    assert.match(stdout.toString('utf8'), /^ffprobe version/);
  });

  it('kills a process that times out', async () => {
    const started = Date.now();
    await assert.rejects(runTool(tools.ffmpeg, ENDLESS, { timeoutMs: 300 }), (error) => {
      assert.ok(error instanceof ToolFailure);
      assert.equal(error.timedOut, true);
      assert.match(error.message, /timed out after 300 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 5_000);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(
      runTool(tools.ffmpeg, ENDLESS, { timeoutMs: 10_000, signal: controller.signal }),
      (error) => error instanceof VidataError && error.code === 'RENDER_CANCELLED',
    );
  });

  it('keeps the standard error of a failure', async () => {
    await assert.rejects(
      runTool(tools.ffmpeg, ['-v', 'error', '-i', '/nonexistent/clip.mp4'], { timeoutMs: 10_000 }),
      (error) => {
        assert.ok(error instanceof ToolFailure);
        assert.equal(error.timedOut, false);
        assert.notEqual(error.exitCode, 0);
        assert.match(error.stderr, /No such file or directory/);
        return true;
      },
    );
  });
});
