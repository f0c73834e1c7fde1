import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { CLIP, PHOTO, createVidata, errorOf, startTestServer, upload, type TestServer } from './helpers.ts';

describe('POST /v1/upload', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      env: { VIDATA_MAX_IMAGE_PIXELS: '1000000', VIDATA_MAX_UPLOAD_BYTES: '200000' },
    });
  });
  after(() => server.close());

  it('stores a PNG under a random name and returns its dimensions', async () => {
    const response = await upload(server, await readFile(PHOTO), 'my photo.png');
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json<Record<string, unknown>>();
    assert.match(String(body.Filename), /^[0-9a-z]{16}\.png$/);
    assert.equal(body.Type, 'image');
    assert.equal(body.ContentType, 'image/png');
    assert.equal(body.Width, 120);
    assert.equal(body.Height, 90);
    assert.equal(body.Size, (await readFile(PHOTO)).length);
    assert.equal(body.Duration, null);
    const stored = path.join(server.dataDir, 'files', 'uploads', server.projectId, String(body.Filename));
    assert.ok(existsSync(stored));
  });

  it('names the file by its bytes, not by its name', async () => {
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#ff0000' } })
      .jpeg()
      .toBuffer();
    const response = await upload(server, jpeg, 'looks-like.png');
    assert.equal(response.statusCode, 201, response.body);
    assert.match(response.json<{ Filename: string }>().Filename, /\.jpg$/);
    assert.equal(response.json<{ ContentType: string }>().ContentType, 'image/jpeg');
  });

  it('accepts an AVIF image, not taken for an MP4', async () => {
    const avif = await sharp({ create: { width: 48, height: 32, channels: 3, background: '#00ff00' } })
      .avif()
      .toBuffer();
    const response = await upload(server, avif, 'photo.mp4');
    assert.equal(response.statusCode, 201, response.body);
    assert.match(response.json<{ Filename: string }>().Filename, /\.avif$/);
    assert.equal(response.json<{ Type: string }>().Type, 'image');
    assert.equal(response.json<{ Width: number }>().Width, 48);
  });

  it('accepts an MP4 clip with its duration', async () => {
    const response = await upload(server, await readFile(CLIP), 'clip.bin');
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json<Record<string, unknown>>();
    assert.equal(body.Type, 'video');
    assert.equal(body.ContentType, 'video/mp4');
    // The 320x180 clip is stored at the size of the template's 160x90 VID_clip box.
    assert.equal(body.Width, 160);
    assert.equal(body.Height, 90);
    assert.ok(Math.abs(Number(body.Duration) - 1) < 0.05);
  });

  it('makes an upload usable as IMG_ and VID_ values', async () => {
    const image = (await upload(server, await readFile(PHOTO), 'p.png')).json<{ Filename: string }>()
      .Filename;
    const clip = (await upload(server, await readFile(CLIP), 'c.mp4')).json<{ Filename: string }>().Filename;
    const id = await createVidata(server, {
      TXT_USEREMAIL: 'ada@example.org',
      'IMG_photo.png': image,
      VID_clip: clip,
    });
    assert.ok(id);
    const wrongKind = await server.app.inject({
      method: 'POST',
      url: '/v1/vidata',
      payload: { key: server.key, variables: { TXT_USEREMAIL: 'ada@example.org', VID_clip: image } },
    });
    assert.equal(wrongKind.statusCode, 400);
    assert.equal(errorOf(wrongKind).code, 'UPLOAD_NOT_FOUND');
  });

  const rejected: { name: string; data: () => Promise<Buffer>; status: number; code: string }[] = [
    {
      name: 'a text file',
      data: () => Promise.resolve(Buffer.from('hello, world\n')),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a truncated PNG',
      data: async () => (await readFile(PHOTO)).subarray(0, 200),
      status: 415,
      code: 'IMAGE_INVALID',
    },
    {
      name: 'an image over the pixel limit',
      data: () =>
        sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#000000' } })
          .png({ compressionLevel: 9 })
          .toBuffer(),
      status: 413,
      code: 'IMAGE_TOO_LARGE',
    },
    {
      name: 'a broken MP4',
      data: async () => Buffer.concat([(await readFile(CLIP)).subarray(0, 40), Buffer.alloc(400, 7)]),
      status: 415,
      code: 'VIDEO_INVALID',
    },
    {
      name: 'an MP4 cut in its frames',
      // The fixture is faststart: its index comes first, so only the frame data is missing.
      data: async () => {
        const clip = await readFile(CLIP);
        return clip.subarray(0, Math.floor(clip.length * 0.6));
      },
      status: 415,
      code: 'VIDEO_INVALID',
    },
    {
      name: 'a file over the size limit',
      data: async () => Buffer.concat([await readFile(PHOTO), Buffer.alloc(250_000)]),
      status: 413,
      code: 'UPLOAD_TOO_LARGE',
    },
  ];
  for (const testCase of rejected) {
    it(`rejects ${testCase.name} with ${testCase.code}`, async () => {
      const response = await upload(server, await testCase.data(), 'file.png');
      assert.equal(response.statusCode, testCase.status, response.body);
      assert.equal(errorOf(response).code, testCase.code);
      assert.equal(errorOf(response).field, 'file');
    });
  }

  it('keeps nothing from a rejected upload', async () => {
    const { readdir } = await import('node:fs/promises');
    const tmp = path.join(server.dataDir, 'tmp');
    const left = existsSync(tmp) ? await readdir(tmp) : [];
    assert.deepEqual(left, []);
  });

  it('rejects a file in another field with VALIDATION_FAILED', async () => {
    const response = await upload(server, await readFile(PHOTO), 'p.png', 'image');
    assert.equal(response.statusCode, 400);
    assert.equal(errorOf(response).code, 'VALIDATION_FAILED');
    assert.equal(errorOf(response).field, 'file');
  });

  it('rejects a body that is not multipart with UNSUPPORTED_MEDIA_TYPE', async () => {
    const json = await server.app.inject({
      method: 'POST',
      url: `/v1/upload?vkey=${server.key}`,
      payload: { file: 'x' },
    });
    assert.equal(json.statusCode, 415);
    assert.equal(errorOf(json).code, 'UNSUPPORTED_MEDIA_TYPE');
    const raw = await server.app.inject({
      method: 'POST',
      url: `/v1/upload?vkey=${server.key}`,
      headers: { 'content-type': 'image/png' },
      payload: await readFile(PHOTO),
    });
    assert.equal(raw.statusCode, 415);
    assert.equal(errorOf(raw).code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('requires a key', async () => {
    const { multipartBody } = await import('./helpers.ts');
    const body = await multipartBody(await readFile(PHOTO), 'p.png');
    const response = await server.app.inject({ method: 'POST', url: '/v1/upload', ...body });
    assert.equal(response.statusCode, 401);
    assert.equal(errorOf(response).code, 'UNAUTHORIZED');
  });
});
