import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { parseRange } from '../../src/api/routes/media.ts';
import {
  CLIP,
  COVER,
  blockingRender,
  createVidata,
  errorOf,
  startTestServer,
  waitForVidata,
  type TestServer,
} from './helpers.ts';

describe('media files', () => {
  let server: TestServer;
  let id: string;
  let clip: Buffer;
  before(async () => {
    server = await startTestServer();
    id = await createVidata(server);
    await waitForVidata(server, id, (b) => b.Status === 'done');
    clip = await readFile(CLIP);
  });
  after(() => server.close());

  it('serves the whole MP4 with its type and Accept-Ranges', async () => {
    const response = await server.app.inject({ url: `/media/${id}/video.mp4` });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'video/mp4');
    assert.equal(response.headers['accept-ranges'], 'bytes');
    assert.equal(Number(response.headers['content-length']), clip.length);
    assert.ok(response.rawPayload.equals(clip));
  });

  it('serves the cover as JPEG', async () => {
    const response = await server.app.inject({ url: `/media/${id}/cover.jpg` });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'image/jpeg');
    assert.ok(response.rawPayload.equals(await readFile(COVER)));
  });

  it('answers a byte range with 206 and Content-Range', async () => {
    const cases = [
      { range: 'bytes=0-99', start: 0, end: 99 },
      { range: 'bytes=100-', start: 100, end: clip.length - 1 },
      { range: 'bytes=-50', start: clip.length - 50, end: clip.length - 1 },
      { range: `bytes=10-${clip.length + 1000}`, start: 10, end: clip.length - 1 },
    ];
    for (const { range, start, end } of cases) {
      const response = await server.app.inject({ url: `/media/${id}/video.mp4`, headers: { range } });
      assert.equal(response.statusCode, 206, range);
      assert.equal(response.headers['content-range'], `bytes ${start}-${end}/${clip.length}`, range);
      assert.equal(Number(response.headers['content-length']), end - start + 1, range);
      assert.ok(response.rawPayload.equals(clip.subarray(start, end + 1)), range);
    }
  });

  it('answers a range past the end with 416 RANGE_NOT_SATISFIABLE', async () => {
    const response = await server.app.inject({
      url: `/media/${id}/video.mp4`,
      headers: { range: `bytes=${clip.length}-` },
    });
    assert.equal(response.statusCode, 416);
    assert.equal(response.headers['content-range'], `bytes */${clip.length}`);
    assert.equal(errorOf(response).code, 'RANGE_NOT_SATISFIABLE');
  });

  it('answers HEAD with the headers only', async () => {
    const response = await server.app.inject({ method: 'HEAD', url: `/media/${id}/video.mp4` });
    assert.equal(response.statusCode, 200);
    assert.equal(Number(response.headers['content-length']), clip.length);
    assert.equal(response.rawPayload.length, 0);
  });

  it('answers 404 for unknown ids and files', async () => {
    for (const url of ['/media/nope/video.mp4', `/media/${id}/other.mp4`]) {
      const response = await server.app.inject({ url });
      assert.equal(response.statusCode, 404, url);
    }
  });
});

describe('parseRange', () => {
  it('serves unsupported forms whole', () => {
    assert.equal(parseRange(undefined, 100), undefined);
    assert.equal(parseRange('bytes=0-1,5-6', 100), undefined);
    assert.equal(parseRange('items=0-1', 100), undefined);
    assert.equal(parseRange('bytes=-', 100), undefined);
  });

  it('rejects empty and inverted ranges', () => {
    assert.equal(parseRange('bytes=5-2', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-0', 0), 'unsatisfiable');
  });
});

describe('player page', () => {
  let server: TestServer;
  let id: string;
  before(async () => {
    server = await startTestServer();
    await server.services.db
      .updateTable('projects')
      .set({ player_color: '#ff7a59' })
      .where('id', '=', server.projectId)
      .execute();
    id = await createVidata(server, {
      TXT_USEREMAIL: 'ada@example.org',
      TXT_NAME: '<i>x</i>&amp;',
    });
    await waitForVidata(server, id, (b) => b.Status === 'done');
  });
  after(() => server.close());

  it('shows the video with the cover as poster and the player colour', async () => {
    const response = await server.app.inject({ url: `/v/${id}` });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(String(response.headers['content-security-policy']), /default-src 'none'/);
    assert.match(
      response.body,
      new RegExp(`<video id="player"[^>]* poster="/media/${id}/cover.jpg" src="/media/${id}/video.mp4"`),
    );
    assert.match(response.body, /--player-color: #ff7a59/);
    assert.match(response.body, /<html lang="en">/);
  });

  it('never includes variable values', async () => {
    const response = await server.app.inject({ url: `/v/${id}` });
    assert.doesNotMatch(response.body, /<i>|&amp;amp;|ada@example/);
  });

  it('speaks French to a French browser', async () => {
    const response = await server.app.inject({
      url: `/v/${id}`,
      headers: { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.8' },
    });
    assert.match(response.body, /<html lang="fr">/);
    assert.match(response.body, /Votre vidéo/);
  });

  it('shows a waiting page that refreshes while rendering', async () => {
    const blocking = blockingRender();
    const waiting = await startTestServer({ render: blocking.render });
    try {
      const pending = await createVidata(waiting);
      const response = await waiting.app.inject({ url: `/v/${pending}` });
      assert.equal(response.statusCode, 200);
      assert.match(response.body, /http-equiv="refresh"/);
      assert.doesNotMatch(response.body, /<video/);
      const media = await waiting.app.inject({ url: `/media/${pending}/video.mp4` });
      assert.equal(media.statusCode, 404);
      blocking.release();
    } finally {
      await waiting.close();
    }
  });

  it('answers an unknown id with an HTML 404', async () => {
    const response = await server.app.inject({ url: '/v/unknown' });
    assert.equal(response.statusCode, 404);
    assert.match(response.body, /does not exist/);
  });
});
