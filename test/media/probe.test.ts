import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VidataError } from '../../src/errors.ts';
import { probeClip } from '../../src/media/probe.ts';
import { clip, tools } from './helpers.ts';

const probe = (name: string) => probeClip(clip(name), tools.ffprobe);

async function rejection(promise: Promise<unknown>): Promise<VidataError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof VidataError, `expected a VidataError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('probeClip on accepted clips', () => {
  it('reads the rotation of a portrait phone clip', async () => {
    const info = await probe('portrait-rotate90.mp4');
    assert.equal(info.rotation, 90);
    assert.equal(info.width, 64);
    assert.equal(info.height, 36);
    assert.equal(info.displayWidth, 36);
    assert.equal(info.displayHeight, 64);
    assert.equal(info.codec, 'h264');
    assert.equal(info.container, 'iso-bmff');
    assert.equal(info.duration, 1.5);
  });

  it('detects a variable frame rate', async () => {
    const info = await probe('vfr.mp4');
    assert.equal(info.isVfr, true);
    assert.equal(info.fps.r, 60);
    assert.ok(info.fps.avg > 20, `avg ${info.fps.avg}`);
    assert.ok(info.fps.avg < 25, `avg ${info.fps.avg}`);
  });

  it('reports a constant frame rate as such', async () => {
    const info = await probe('no-audio.mp4');
    assert.equal(info.isVfr, false);
    assert.deepEqual(info.fps, { avg: 25, r: 25 });
  });

  it('applies the pixel aspect ratio to the display size', async () => {
    const info = await probe('odd-sar.webm');
    assert.equal(info.container, 'matroska');
    assert.equal(info.codec, 'vp9');
    assert.equal(info.width, 99);
    assert.equal(info.height, 75);
    assert.ok(Math.abs(info.sampleAspectRatio - 4 / 3) < 1e-9);
    assert.equal(info.displayWidth, 132);
    assert.equal(info.displayHeight, 75);
  });

  it('reads the bit depth of a 10-bit SDR clip', async () => {
    const info = await probe('10bit.mp4');
    assert.equal(info.bitDepth, 10);
    assert.equal(info.pixFmt, 'yuv420p10le');
    assert.equal(info.colorTransfer, 'bt709');
    assert.equal(info.hdr, undefined);
  });

  it('flags HLG and PQ clips as HDR', async () => {
    const hlg = await probe('hdr-hlg.mov');
    assert.equal(hlg.hdr, 'hlg');
    assert.equal(hlg.colorTransfer, 'arib-std-b67');
    assert.equal(hlg.colorPrimaries, 'bt2020');
    assert.equal(hlg.codec, 'hevc');
    const pq = await probe('hdr-pq.mp4');
    assert.equal(pq.hdr, 'pq');
    assert.equal(pq.bitDepth, 10);
  });

  it('detects interlaced frames', async () => {
    assert.equal((await probe('interlaced.mp4')).interlaced, true);
    assert.equal((await probe('no-audio.mp4')).interlaced, false);
  });

  it('counts a late video start in the duration', async () => {
    // Picture from 0.52 s to 2.04 s, sound from 0 to 2 s.
    const info = await probe('av-offset.mp4');
    assert.ok(Math.abs(info.duration - 2.04) < 0.001, `duration ${info.duration}`);
  });

  it('reads the audio format', async () => {
    const mono = await probe('mono-44k.mp4');
    assert.equal(mono.hasAudio, true);
    assert.equal(mono.audioSampleRate, 44_100);
    assert.equal(mono.audioChannels, 1);
    const silent = await probe('no-audio.mp4');
    assert.equal(silent.hasAudio, false);
    assert.equal(silent.audioSampleRate, undefined);
    assert.equal(silent.streamIndex.audio, undefined);
  });
});

describe('probeClip on rejected files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vidata-probe-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects an MP4 cut off before its index', async () => {
    const error = await rejection(probe('truncated.mp4'));
    assert.equal(error.code, 'VIDEO_INVALID');
    assert.match(error.message, /"truncated\.mp4"/);
    assert.match(error.message, /cut off/);
    assert.match(error.message, /"moov" box, is missing/);
  });

  it('rejects a fast-start MP4 cut off in its frame data', async () => {
    const error = await rejection(probe('truncated-faststart.mp4'));
    assert.equal(error.code, 'VIDEO_INVALID');
    assert.match(error.message, /"mdat" box needs \d+ bytes but the file has \d+/);
  });

  it('rejects a WebM file cut off in its segment', async () => {
    const bytes = await readFile(clip('odd-sar.webm'));
    const file = path.join(dir, 'cut.webm');
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const error = await rejection(probeClip(file, tools.ffprobe));
    assert.equal(error.code, 'VIDEO_INVALID');
    assert.match(error.message, /Matroska segment needs \d+ bytes/);
  });

  it('rejects an MP4 with damaged data after its boxes', async () => {
    const bytes = await readFile(clip('no-audio.mp4'));
    const file = path.join(dir, 'tail.mp4');
    await writeFile(
      file,
      Buffer.concat([bytes, Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff, 0xfe, 0xfd, 0xfc, 9])]),
    );
    const error = await rejection(probeClip(file, tools.ffprobe));
    assert.equal(error.code, 'VIDEO_INVALID');
    assert.match(error.message, /damaged data at byte \d+/);
  });

  it('rejects bytes that are not a clip', async () => {
    const file = path.join(dir, 'notes.mp4');
    await writeFile(file, 'these are not the bytes of a video\n');
    const error = await rejection(probeClip(file, tools.ffprobe));
    assert.equal(error.code, 'VIDEO_INVALID');
    assert.match(error.message, /not an MP4, MOV or WebM file/);
  });

  it('rejects an empty file', async () => {
    const file = path.join(dir, 'empty.mp4');
    await writeFile(file, '');
    const error = await rejection(probeClip(file, tools.ffprobe));
    assert.equal(error.code, 'VIDEO_INVALID');
    assert.match(error.message, /empty/);
  });

  it('rejects a file with sound only', async () => {
    const error = await rejection(probe('audio-only.m4a'));
    assert.equal(error.code, 'VIDEO_INVALID');
    assert.match(error.message, /no video stream/);
  });

  it('rejects a complete box structure with garbage inside', async () => {
    // Same boxes, but the index is overwritten: the byte check passes and ffprobe must reject it.
    const bytes = Buffer.from(await readFile(clip('no-audio.mp4')));
    const moov = bytes.indexOf('moov', 0, 'latin1');
    assert.ok(moov > 0);
    bytes.fill(0x5a, moov + 4, bytes.length);
    const file = path.join(dir, 'garbage.mp4');
    await writeFile(file, bytes);
    const error = await rejection(probeClip(file, tools.ffprobe, { field: 'variables.VID_INTRO' }));
    assert.equal(error.code, 'VIDEO_INVALID');
    assert.equal(error.field, 'variables.VID_INTRO');
  });

  it('names the clip by its label, not its path', async () => {
    const file = path.join(dir, 'upload-3f9a');
    await copyFile(clip('truncated.mp4'), file);
    const error = await rejection(probeClip(file, tools.ffprobe, { label: 'holiday.mp4' }));
    assert.match(error.message, /"holiday\.mp4"/);
    assert.doesNotMatch(error.message, new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  it('reports a missing file as FILE_NOT_FOUND', async () => {
    const error = await rejection(probeClip(path.join(dir, 'absent.mp4'), tools.ffprobe));
    assert.equal(error.code, 'FILE_NOT_FOUND');
  });

  it('rejects a clip above the pixel limit', async () => {
    const error = await rejection(
      probeClip(clip('no-audio.mp4'), tools.ffprobe, { limits: { maxPixels: 64 * 47 } }),
    );
    assert.equal(error.code, 'VIDEO_TOO_LARGE');
    assert.match(error.message, /64x48 pixels/);
  });

  it('rejects a clip above the duration limit', async () => {
    const error = await rejection(probeClip(clip('vfr.mp4'), tools.ffprobe, { limits: { maxDuration: 1 } }));
    assert.equal(error.code, 'VIDEO_TOO_LARGE');
    assert.match(error.message, /maximum is 1 s/);
  });

  it('reads a file whose name looks like an option or a protocol', async () => {
    for (const name of ['-x.mp4', 'concat:a.mp4']) {
      const file = path.join(dir, name);
      await copyFile(clip('no-audio.mp4'), file);
      const info = await probeClip(file, tools.ffprobe);
      assert.equal(info.width, 64);
    }
  });

  it('reports a missing ffprobe as FFMPEG_NOT_FOUND', async () => {
    const error = await rejection(probeClip(clip('no-audio.mp4'), path.join(dir, 'no-ffprobe')));
    assert.equal(error.code, 'FFMPEG_NOT_FOUND');
  });
});
