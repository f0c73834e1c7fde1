import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { normalizeClip, type NormalizedClip } from '../../src/media/normalize.ts';
import { runTool } from '../../src/media/run.ts';
import { fitClipToSlot, type SlotFit } from '../../src/media/slot.ts';
import {
  audioStream,
  channelRms,
  clip,
  decodeAudio,
  decodeFrame,
  ffprobe,
  tools,
  videoStream,
} from './helpers.ts';

let dir: string;
/** ramp.mp4 normalized to 32x32 at 25 fps: 25 frames, frame n has luma 16 + 8n. */
let ramp: NormalizedClip;
let rendered = 0;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vidata-slot-'));
  ramp = await normalizeClip({
    input: clip('ramp.mp4'),
    output: path.join(dir, 'ramp.mp4'),
    width: 32,
    height: 32,
    fps: 25,
    fit: 'cover',
    ffmpeg: tools,
  });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Encodes the slot as a video layer encoder would, and returns the file. */
async function render(fit: SlotFit): Promise<string> {
  const output = path.join(dir, `slot-${rendered++}.mp4`);
  await runTool(
    tools.ffmpeg,
    [
      '-hide_banner', '-nostdin', '-v', 'error', '-y',
      ...fit.inputArgs,
      '-filter_complex', `[0:v]${fit.videoFilter}[v];[0:a]${fit.audioFilter}[a]`,
      '-map', '[v]', '-map', '[a]',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-x264-params', 'trellis=0', '-crf', '10',
      '-c:a', 'aac', output,
    ], // prettier-ignore
    { timeoutMs: 30_000 },
  );
  return output;
}

/** Index of the ramp frame shown at frame `n` of `file`, read from its luma. */
async function rampIndex(file: string, n: number): Promise<number> {
  const frame = await decodeFrame(file, 32, 32, n);
  // Limited-range luma 16 + 8k decodes to full-range grey 8k * 255 / 219.
  return Math.round(frame.mean(8, 8, 16, 16)[0] / ((8 * 255) / 219));
}

async function assertDuration(file: string, frames: number): Promise<void> {
  const probed = await ffprobe(file);
  const video = videoStream(probed);
  assert.equal(Number(video.nb_frames), frames);
  const seconds = frames / 25;
  const audio = Number(audioStream(probed).duration);
  assert.ok(Math.abs(audio - seconds) < 0.025, `audio lasts ${audio} s, expected ${seconds}`);
}

describe('fitClipToSlot', () => {
  it('trims a clip longer than its slot', async () => {
    const fit = fitClipToSlot({ clip: ramp, slotDuration: 0.6, fill: 'loop' });
    assert.equal(fit.mode, 'trim');
    assert.equal(fit.frameCount, 15);
    assert.equal(fit.sampleCount, 28_800);
    const file = await render(fit);
    await assertDuration(file, 15);
    assert.equal(await rampIndex(file, 0), 0);
    assert.equal(await rampIndex(file, 14), 14);
  });

  it('starts a trim at the offset', async () => {
    const fit = fitClipToSlot({ clip: ramp, slotDuration: 0.6, fill: 'freeze', offset: 0.4 });
    assert.equal(fit.mode, 'trim');
    const file = await render(fit);
    await assertDuration(file, 15);
    assert.equal(await rampIndex(file, 0), 10);
    assert.equal(await rampIndex(file, 14), 24);
  });

  it('loops a clip shorter than its slot', async () => {
    const fit = fitClipToSlot({ clip: ramp, slotDuration: 2.2, fill: 'loop' });
    assert.equal(fit.mode, 'loop');
    const file = await render(fit);
    await assertDuration(file, 55);
    assert.equal(await rampIndex(file, 24), 24);
    assert.equal(await rampIndex(file, 25), 0);
    assert.equal(await rampIndex(file, 54), 4);
    // The sound loops too: the second second is not silent.
    const samples = await decodeAudio(file);
    assert.ok(channelRms(samples.subarray(2 * 60_000, 2 * 90_000), 0) > 1000);
  });

  it('wraps a loop that starts at an offset', async () => {
    const fit = fitClipToSlot({ clip: ramp, slotDuration: 1.2, fill: 'loop', offset: 0.8 });
    assert.equal(fit.mode, 'loop');
    const file = await render(fit);
    await assertDuration(file, 30);
    assert.equal(await rampIndex(file, 0), 20);
    assert.equal(await rampIndex(file, 4), 24);
    assert.equal(await rampIndex(file, 5), 0);
  });

  it('freezes a short clip on its last frame', async () => {
    const fit = fitClipToSlot({ clip: ramp, slotDuration: 1.6, fill: 'freeze' });
    assert.equal(fit.mode, 'freeze');
    const file = await render(fit);
    await assertDuration(file, 40);
    assert.equal(await rampIndex(file, 0), 0);
    assert.equal(await rampIndex(file, 24), 24);
    assert.equal(await rampIndex(file, 25), 24);
    assert.equal(await rampIndex(file, 39), 24);
    // Sound plays for the clip's second, silence fills the frozen part.
    const samples = await decodeAudio(file);
    assert.ok(channelRms(samples.subarray(0, 2 * 40_000), 0) > 1000);
    assert.equal(channelRms(samples.subarray(2 * 50_000, 2 * 76_000), 0), 0);
  });

  it('freezes an offset past the end', async () => {
    const fit = fitClipToSlot({ clip: ramp, slotDuration: 0.4, fill: 'freeze', offset: 5 });
    assert.equal(fit.mode, 'freeze');
    const file = await render(fit);
    await assertDuration(file, 10);
    assert.equal(await rampIndex(file, 0), 24);
    assert.equal(await rampIndex(file, 9), 24);
  });

  it('rounds the slot to whole frames', () => {
    const fit = fitClipToSlot({ clip: ramp, slotDuration: 0.61, fill: 'loop' });
    assert.equal(fit.frameCount, 15);
    assert.equal(fit.sampleCount, 28_800);
  });

  it('rejects a slot without duration', () => {
    assert.throws(() => fitClipToSlot({ clip: ramp, slotDuration: 0, fill: 'loop' }), RangeError);
    assert.throws(() => fitClipToSlot({ clip: ramp, slotDuration: 1, fill: 'loop', offset: -1 }), RangeError);
  });
});
