import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VidataError } from '../../src/errors.ts';
import { normalizeClip, type NormalizeOptions } from '../../src/media/normalize.ts';
import { probeClip } from '../../src/media/probe.ts';
import { runTool } from '../../src/media/run.ts';
import {
  audioStream,
  channelRms,
  clip,
  colorDistance,
  decodeAudio,
  decodeFrame,
  ffprobe,
  tools,
  videoStream,
  type Frame,
  type Probed,
} from './helpers.ts';

/** Colours of the quadrants of the colour fixtures (see scripts/fixtures/make-clips.ts). */
const QUADRANTS = {
  red: [200, 48, 48],
  green: [48, 176, 64],
  white: [224, 224, 224],
  grey: [128, 128, 128],
} as const;

let dir: string;
let outputs = 0;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vidata-normalize-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function normalize(name: string, target: Partial<NormalizeOptions> = {}) {
  const output = path.join(dir, `${name}.${outputs++}.mp4`);
  const result = await normalizeClip({
    input: clip(name),
    output,
    width: 64,
    height: 48,
    fps: 25,
    fit: 'cover',
    ffmpeg: tools,
    ...target,
  });
  return { result, output, probed: await ffprobe(output) };
}

/** Mean distance between each row's red channel and the mean of the rows above and below. */
function combing(frame: Frame): number {
  let sum = 0;
  for (let y = 1; y < frame.height - 1; y++) {
    for (let x = 0; x < frame.width; x++) {
      const [above] = frame.pixel(x, y - 1);
      const [here] = frame.pixel(x, y);
      const [below] = frame.pixel(x, y + 1);
      sum += Math.abs(here - (above + below) / 2);
    }
  }
  return sum / ((frame.height - 2) * frame.width);
}

/** Checks everything every normalized clip must have: format, size, frame rate, audio and duration. */
function assertTemplateFormat(
  probed: Probed,
  expected: { width: number; height: number; fps: number; frames: number },
) {
  const video = videoStream(probed);
  assert.equal(video.codec_name, 'h264');
  assert.equal(video.pix_fmt, 'yuv420p');
  assert.equal(video.width, expected.width);
  assert.equal(video.height, expected.height);
  assert.equal(video.sample_aspect_ratio, '1:1');
  assert.equal(video.r_frame_rate, `${expected.fps}/1`);
  assert.equal(video.avg_frame_rate, `${expected.fps}/1`);
  assert.equal(Number(video.nb_frames), expected.frames);
  assert.equal(video.color_transfer, 'bt709');
  assert.equal(video.color_space, 'bt709');
  const rotation = video.side_data_list?.find((s) => s.side_data_type === 'Display Matrix');
  assert.equal(rotation, undefined, 'no display matrix');
  assert.equal(video.tags?.rotate, undefined, 'no rotate tag');

  const audio = audioStream(probed);
  assert.equal(audio.codec_name, 'aac');
  assert.equal(audio.sample_rate, '48000');
  assert.equal(audio.channels, 2);

  const seconds = expected.frames / expected.fps;
  assert.ok(
    Math.abs(Number(video.duration) - seconds) < 0.001,
    `video lasts ${video.duration} s, expected ${seconds}`,
  );
  assert.ok(
    Math.abs(Number(audio.duration) - seconds) < 0.025,
    `audio lasts ${audio.duration} s, expected ${seconds}`,
  );

  // Constant frame rate: one frame every 1/fps second. Keyframes: exactly one every second.
  const videoIndex = probed.streams.indexOf(video);
  const packets = probed.packets.filter((p) => p.stream_index === videoIndex).sort((a, b) => a.pts - b.pts);
  const steps = new Set(packets.slice(1).map((p, i) => p.pts - (packets[i] as { pts: number }).pts));
  assert.equal(steps.size, 1, `frame intervals ${[...steps].join(', ')}`);
  const keyframes = packets.flatMap((p, i) => (p.flags.startsWith('K') ? [i] : []));
  assert.deepEqual(
    keyframes,
    Array.from({ length: Math.ceil(expected.frames / expected.fps) }, (_, i) => i * expected.fps),
  );
}

describe('normalizeClip', () => {
  it('applies the rotation of a portrait phone clip', async () => {
    const { result, output, probed } = await normalize('portrait-rotate90.mp4', { width: 72, height: 128 });
    assertTemplateFormat(probed, { width: 72, height: 128, fps: 25, frames: 38 });
    assert.equal(result.frameCount, 38);
    assert.equal(result.duration, 1.52);
    assert.equal(result.source.rotation, 90);

    const again = await probeClip(output, tools.ffprobe);
    assert.equal(again.rotation, 0);

    // The marker, stored at the top-left of the landscape frames, shows at the top-right.
    const frame = await decodeFrame(output, 72, 128);
    const marker = frame.mean(52, 4, 16, 20);
    const topLeft = frame.mean(4, 4, 16, 20);
    const bottomRight = frame.mean(52, 104, 16, 20);
    assert.ok(colorDistance(marker, [255, 0, 0]) < 40, `top-right ${marker.join(',')}`);
    assert.ok(colorDistance(topLeft, [0x30, 0x60, 0xa0]) < 30, `top-left ${topLeft.join(',')}`);
    assert.ok(colorDistance(bottomRight, [0x30, 0x60, 0xa0]) < 30, `bottom-right ${bottomRight.join(',')}`);
  });

  // The same clip with other display rotations, remuxed here. ffmpeg 4.1's muxer writes a rotate
  // tag of 90 as a 270° clockwise turn and 180 as 180 (see scripts/fixtures/make-clips.ts).
  for (const { tag, rotation, width, height, corner } of [
    { tag: '90', rotation: 270, width: 72, height: 128, corner: [4, 104] },
    { tag: '180', rotation: 180, width: 128, height: 72, corner: [108, 48] },
  ]) {
    it(`applies a rotation of ${rotation}°`, async () => {
      const input = path.join(dir, `rotate-${tag}.mp4`);
      await runTool(
        tools.ffmpeg,
        [
          '-v',
          'error',
          '-y',
          '-i',
          clip('portrait-rotate90.mp4'),
          '-c',
          'copy',
          '-metadata:s:v:0',
          `rotate=${tag}`,
          input,
        ],
        { timeoutMs: 20_000 },
      );
      const info = await probeClip(input, tools.ffprobe);
      assert.equal(info.rotation, rotation);
      const output = path.join(dir, `rotate-${tag}.normalized.mp4`);
      await normalizeClip({ input, output, width, height, fps: 25, fit: 'cover', ffmpeg: tools, info });
      assertTemplateFormat(await ffprobe(output), { width, height, fps: 25, frames: 38 });
      const frame = await decodeFrame(output, width, height);
      const [x, y] = corner as [number, number];
      const marker = frame.mean(x, y, 16, 20);
      const opposite = frame.mean(width - x - 16, height - y - 20, 16, 20);
      assert.ok(colorDistance(marker, [255, 0, 0]) < 40, `marker corner ${marker.join(',')}`);
      assert.ok(colorDistance(opposite, [0x30, 0x60, 0xa0]) < 30, `opposite corner ${opposite.join(',')}`);
    });
  }

  it('drops the metadata of the source', async () => {
    const source = await ffprobe(clip('portrait-rotate90.mp4'));
    assert.ok(source.format.tags?.location, 'the fixture has a location');
    const { probed } = await normalize('portrait-rotate90.mp4', { width: 36, height: 64 });
    assert.equal(probed.format.tags?.location, undefined);
  });

  it('turns a variable frame rate into a constant one', async () => {
    const { output, probed } = await normalize('vfr.mp4');
    // 1.833 s at 25 frames per second.
    assertTemplateFormat(probed, { width: 64, height: 48, fps: 25, frames: 46 });
    const again = await probeClip(output, tools.ffprobe);
    assert.equal(again.isVfr, false);
  });

  it('deinterlaces an interlaced clip', async () => {
    const { output, probed } = await normalize('interlaced.mp4');
    assertTemplateFormat(probed, { width: 64, height: 48, fps: 25, frames: 25 });
    // Combing: how far each row is from the mean of its neighbours. The moving box's two fields
    // make it about 45 in the source; deinterlaced, it is about 2.
    const source = combing(await decodeFrame(clip('interlaced.mp4'), 64, 48, 5));
    const result = combing(await decodeFrame(output, 64, 48, 5));
    assert.ok(source > 20, `source combing ${source}`);
    assert.ok(result < 8, `normalized combing ${result}`);
  });

  it('keeps only maxDuration seconds', async () => {
    const { result, probed } = await normalize('vfr.mp4', { maxDuration: 1 });
    assertTemplateFormat(probed, { width: 64, height: 48, fps: 25, frames: 25 });
    assert.equal(result.duration, 1);
  });

  it('corrects non-square pixels of an odd-sized clip', async () => {
    // 99x75 stored with pixels 4:3 wide shows as 132x75; into 100x100 that is 100x56 with bars of 22.
    const { output, probed } = await normalize('odd-sar.webm', {
      width: 100,
      height: 100,
      fit: 'contain',
      padColor: '#ff00ff',
    });
    assertTemplateFormat(probed, { width: 100, height: 100, fps: 25, frames: 25 });
    const frame = await decodeFrame(output, 100, 100);
    // Pure magenta lies outside what limited-range YUV decodes back to exactly (it reads 255,37,255).
    const magenta = [255, 0, 255];
    const green = [0x30, 0xb0, 0x40];
    assert.ok(colorDistance(frame.pixel(50, 10), magenta) < 45, `row 10 ${frame.pixel(50, 10).join(',')}`);
    // With square pixels assumed the picture would be 100x76 and row 18 would be inside it.
    assert.ok(colorDistance(frame.pixel(50, 18), magenta) < 45, `row 18 ${frame.pixel(50, 18).join(',')}`);
    assert.ok(colorDistance(frame.pixel(50, 50), green) < 30, `row 50 ${frame.pixel(50, 50).join(',')}`);
    assert.ok(colorDistance(frame.pixel(2, 50), green) < 30, `column 2 ${frame.pixel(2, 50).join(',')}`);
    assert.ok(colorDistance(frame.pixel(50, 90), magenta) < 45, `row 90 ${frame.pixel(50, 90).join(',')}`);
  });

  it('fills the frame with cover', async () => {
    // The same clip by cover: no bars, the sides are cut.
    const { output } = await normalize('odd-sar.webm', { width: 100, height: 100, fit: 'cover' });
    const frame = await decodeFrame(output, 100, 100);
    for (const [x, y] of [
      [2, 2],
      [97, 2],
      [2, 97],
      [97, 97],
    ] as const) {
      assert.ok(
        colorDistance(frame.pixel(x, y), [0x30, 0xb0, 0x40]) < 30,
        `(${x}, ${y}) ${frame.pixel(x, y).join(',')}`,
      );
    }
  });

  for (const name of ['10bit.mp4', 'hdr-hlg.mov', 'hdr-pq.mp4']) {
    it(`converts ${name} to 8-bit BT.709 with its colours`, async () => {
      const { output, probed } = await normalize(name, { width: 64, height: 48 });
      assertTemplateFormat(probed, { width: 64, height: 48, fps: 25, frames: 25 });
      const frame = await decodeFrame(output, 64, 48);
      const seen = {
        red: frame.mean(8, 6, 16, 12),
        green: frame.mean(40, 6, 16, 12),
        white: frame.mean(8, 30, 16, 12),
        grey: frame.mean(40, 30, 16, 12),
      };
      // Tone mapping compresses highlights (white 224 becomes about 194); the untouched 10-bit clip
      // stays close. A conversion without tone mapping turns the grey into about 85.
      const tolerance = name === '10bit.mp4' ? 12 : 40;
      for (const [quadrant, expected] of Object.entries(QUADRANTS)) {
        const color = seen[quadrant as keyof typeof seen];
        assert.ok(colorDistance(color, expected) < tolerance, `${quadrant} ${color.join(',')}`);
      }
      assert.ok(colorDistance(seen.grey, QUADRANTS.grey) < 12, `grey ${seen.grey.join(',')}`);
    });
  }

  it('keeps picture and sound in sync', async () => {
    // The picture starts 0.52 s after the sound; a white flash and a beep both happen at 1.0 s.
    const { output, probed } = await normalize('av-offset.mp4', { width: 32, height: 32 });
    assertTemplateFormat(probed, { width: 32, height: 32, fps: 25, frames: 51 });
    const before = await decodeFrame(output, 32, 32, 24);
    const flash = await decodeFrame(output, 32, 32, 25);
    const start = await decodeFrame(output, 32, 32, 0);
    assert.ok(before.mean(0, 0, 32, 32)[0] < 30, `frame 24 ${before.mean(0, 0, 32, 32).join(',')}`);
    assert.ok(flash.mean(0, 0, 32, 32)[0] > 220, `frame 25 ${flash.mean(0, 0, 32, 32).join(',')}`);
    assert.ok(start.mean(0, 0, 32, 32)[0] < 30, 'the first frame fills the time before the picture');

    const samples = await decodeAudio(output);
    let onset = -1;
    for (let i = 0; i < samples.length; i += 2) {
      if (Math.abs(samples[i] as number) > 1000) {
        onset = i / 2;
        break;
      }
    }
    assert.ok(Math.abs(onset / 48_000 - 1) < 0.03, `the beep starts at ${onset / 48_000} s`);
  });

  it('turns 44.1 kHz mono into 48 kHz stereo at the same level', async () => {
    const { output, probed } = await normalize('mono-44k.mp4');
    assertTemplateFormat(probed, { width: 64, height: 48, fps: 25, frames: 25 });
    const source = await decodeAudio(clip('mono-44k.mp4'));
    const samples = await decodeAudio(output);
    const left = channelRms(samples, 0);
    const right = channelRms(samples, 1);
    assert.ok(left > 1000, `left RMS ${left}`);
    assert.ok(Math.abs(left - right) / left < 0.01, `left ${left}, right ${right}`);
    // The decoder's own upmix of the mono source lowers it by 3 dB, so compare with its left channel times sqrt(2).
    const sourceLevel = channelRms(source, 0) * Math.SQRT2;
    assert.ok(Math.abs(left - sourceLevel) / sourceLevel < 0.1, `level ${left}, source ${sourceLevel}`);
  });

  it('adds a silent track to a clip without audio', async () => {
    const { output, probed } = await normalize('no-audio.mp4');
    assertTemplateFormat(probed, { width: 64, height: 48, fps: 25, frames: 25 });
    const samples = await decodeAudio(output);
    assert.ok(samples.length >= 2 * 48_000, `${samples.length} samples`);
    assert.equal(channelRms(samples, 0), 0);
    assert.equal(channelRms(samples, 1), 0);
  });

  it('rejects a truncated clip and writes nothing', async () => {
    const output = path.join(dir, 'from-truncated.mp4');
    const before = await readdir(dir);
    await assert.rejects(
      normalizeClip({
        input: clip('truncated.mp4'),
        output,
        width: 64,
        height: 48,
        fps: 25,
        fit: 'cover',
        ffmpeg: tools,
      }),
      (error) => error instanceof VidataError && error.code === 'VIDEO_INVALID',
    );
    assert.deepEqual(await readdir(dir), before);
  });

  it('leaves no partial file when ffmpeg fails', async () => {
    const output = path.join(dir, 'from-failed.mp4');
    const before = await readdir(dir);
    const info = await probeClip(clip('no-audio.mp4'), tools.ffprobe);
    // A stream index that does not exist makes ffmpeg fail after the output is opened.
    const broken = { ...info, streamIndex: { video: 7, audio: undefined } };
    await assert.rejects(
      normalizeClip({
        input: clip('no-audio.mp4'),
        output,
        width: 64,
        height: 48,
        fps: 25,
        fit: 'cover',
        ffmpeg: tools,
        info: broken,
      }),
      (error) => error instanceof VidataError && error.code === 'FFMPEG_FAILED',
    );
    assert.deepEqual(await readdir(dir), before);
  });

  it('rejects an odd target size', async () => {
    await assert.rejects(
      normalizeClip({
        input: clip('no-audio.mp4'),
        output: path.join(dir, 'odd.mp4'),
        width: 63,
        height: 48,
        fps: 25,
        fit: 'cover',
        ffmpeg: tools,
      }),
      /width 63 is not an even positive integer/,
    );
  });
});
