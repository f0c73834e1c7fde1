/**
 * Clips sent to POST /v1/upload are stored only in the template's format. The API test template runs
 * at 10 frames per second and shows VID_clip in a 160x90 `cover` box, which every fixture clip
 * (64x48, or 36x64 shown upright) already covers at its own size, so each keeps its displayed size.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { audioStream, clip, decodeFrame, ffprobe, videoStream, type Probed } from '../media/helpers.ts';
import { CLIP, errorOf, startTestServer, upload, type TestServer } from './helpers.ts';

interface ClipAnswer {
  Filename: string;
  Type: string;
  ContentType: string;
  Size: number;
  Width: number;
  Height: number;
  Duration: number;
}

/** The template's frame rate. */
const FPS = 10;

describe('POST /v1/upload with a clip', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { VIDATA_MAX_UPLOAD_BYTES: '200000' }, noWorkers: true });
  });
  after(() => server.close());

  const storedPath = (filename: string) =>
    path.join(server.dataDir, 'files', 'uploads', server.projectId, filename);

  async function send(name: string): Promise<{ answer: ClipAnswer; stored: string; probed: Probed }> {
    const response = await upload(server, await readFile(clip(name)), name);
    assert.equal(response.statusCode, 201, response.body);
    const answer = response.json<ClipAnswer>();
    const stored = storedPath(answer.Filename);
    return { answer, stored, probed: await ffprobe(stored) };
  }

  /** Checks that the stored file is in the template's format and that the response describes it. */
  function assertNormalized(answer: ClipAnswer, probed: Probed, size: { width: number; height: number }) {
    assert.equal(answer.Type, 'video');
    assert.equal(answer.ContentType, 'video/mp4');
    assert.match(answer.Filename, /^[0-9a-z]{16}\.mp4$/);

    const video = videoStream(probed);
    assert.equal(video.codec_name, 'h264');
    assert.equal(video.pix_fmt, 'yuv420p');
    assert.deepEqual({ width: video.width, height: video.height }, size);
    assert.deepEqual({ width: answer.Width, height: answer.Height }, size);
    assert.equal(video.sample_aspect_ratio ?? '1:1', '1:1');
    assert.equal(video.r_frame_rate, `${FPS}/1`);
    assert.equal(video.avg_frame_rate, `${FPS}/1`);
    assert.equal(video.color_space, 'bt709');
    assert.equal(video.color_primaries, 'bt709');
    assert.equal(video.color_transfer, 'bt709');
    assert.equal(video.tags?.rotate, undefined);
    assert.ok(!video.side_data_list?.some((d) => d.side_data_type === 'Display Matrix'), 'no rotation');

    // Constant frame rate: every video packet is one frame interval after the previous one.
    const index = probed.streams.indexOf(video);
    const times = probed.packets
      .filter((p) => p.stream_index === index)
      .map((p) => p.pts)
      .sort((a, b) => a - b);
    const steps = new Set(times.slice(1).map((t, i) => t - (times[i] as number)));
    assert.equal(steps.size, 1, `frame intervals ${[...steps].join(', ')}`);
    assert.equal(times.length, Math.round(answer.Duration * FPS));
    assert.ok(Math.abs(Number(probed.format.duration) - answer.Duration) < 0.1, probed.format.duration);

    const audio = audioStream(probed);
    assert.equal(audio.codec_name, 'aac');
    assert.equal(audio.sample_rate, '48000');
    assert.equal(audio.channels, 2);
  }

  it('tone maps HDR to SDR', async () => {
    const { answer, stored, probed } = await send('hdr-pq.mp4');
    assertNormalized(answer, probed, { width: 64, height: 48 });
    // The red quadrant is #c83030; sent to the renderer untouched it came out about (103, 70, 60).
    const [r, g, b] = (await decodeFrame(stored, 64, 48)).mean(8, 6, 16, 12);
    const seen = `red quadrant ${[r, g, b].map(Math.round).join(',')}`;
    assert.ok(r > 160, seen);
    assert.ok(g < 90, seen);
    assert.ok(b < 90, seen);
  });

  it('stores a rotated clip upright', async () => {
    const { answer, stored, probed } = await send('portrait-rotate90.mp4');
    assertNormalized(answer, probed, { width: 36, height: 64 });
    // The red marker shows at the top-right of the upright picture.
    const [r, g, b] = (await decodeFrame(stored, 36, 64)).mean(28, 2, 4, 4);
    const seen = `top-right ${[r, g, b].map(Math.round).join(',')}`;
    assert.ok(r > 150, seen);
    assert.ok(g < 100, seen);
    assert.ok(b < 100, seen);
    assert.equal(probed.format.tags?.location, undefined);
  });

  it('makes variable frame rate constant', async () => {
    const { answer, probed } = await send('vfr.mp4');
    assertNormalized(answer, probed, { width: 64, height: 48 });
  });

  it('adds silence to a silent clip', async () => {
    const { answer, probed } = await send('no-audio.mp4');
    assertNormalized(answer, probed, { width: 64, height: 48 });
  });

  it('resamples mono 44.1 kHz sound', async () => {
    const { answer, probed } = await send('mono-44k.mp4');
    assertNormalized(answer, probed, { width: 64, height: 48 });
  });

  it('shrinks an oversized clip', async () => {
    // 320x180 is twice what the 160x90 box shows.
    const response = await upload(server, await readFile(CLIP), 'c.mp4');
    assert.equal(response.statusCode, 201, response.body);
    const answer = response.json<ClipAnswer>();
    assertNormalized(answer, await ffprobe(storedPath(answer.Filename)), { width: 160, height: 90 });
  });

  for (const name of ['truncated.mp4', 'truncated-faststart.mp4']) {
    it(`rejects ${name}, storing nothing`, async () => {
      const before = await storedFiles();
      const response = await upload(server, await readFile(clip(name)), name);
      assert.equal(response.statusCode, 415, response.body);
      assert.equal(errorOf(response).code, 'VIDEO_INVALID');
      assert.equal(errorOf(response).field, 'file');
      assert.match(errorOf(response).message, new RegExp(`"${name.replace('.', '\\.')}".*cut off`));
      assert.deepEqual(await storedFiles(), before);
      assert.deepEqual(await readdir(path.join(server.dataDir, 'tmp')), []);
    });
  }

  it('rejects a clip over the size limit', async () => {
    const before = await storedFiles();
    const big = Buffer.concat([await readFile(clip('hdr-pq.mp4')), Buffer.alloc(200_000)]);
    const response = await upload(server, big, 'big.mp4');
    assert.equal(response.statusCode, 413, response.body);
    assert.equal(errorOf(response).code, 'UPLOAD_TOO_LARGE');
    assert.deepEqual(await storedFiles(), before);
  });

  it('keeps one row per stored file', async () => {
    const rows = await server.services.db
      .selectFrom('uploads')
      .select(['filename', 'size'])
      .where('project_id', '=', server.projectId)
      .execute();
    const files = await storedFiles();
    assert.deepEqual(rows.map((r) => r.filename).sort(), files);
    for (const row of rows) {
      const { size } = await stat(storedPath(row.filename));
      assert.equal(Number(row.size), size);
    }
  });

  async function storedFiles(): Promise<string[]> {
    const dir = path.join(server.dataDir, 'files', 'uploads', server.projectId);
    return existsSync(dir) ? (await readdir(dir)).sort() : [];
  }
});
