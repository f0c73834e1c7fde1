import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  API_TEMPLATE,
  PHOTO,
  createVidata,
  errorOf,
  startTestServer,
  upload,
  waitForVidata,
  type TestServer,
} from './helpers.ts';

describe('project routes', () => {
  let server: TestServer;
  let videoId: string;
  before(async () => {
    server = await startTestServer();
    videoId = (await server.services.projects.get(server.projectId)).videoId;
  });
  after(() => server.close());

  it('returns project details with real JSON types', async () => {
    const response = await server.app.inject({ url: `/v1/project/${server.projectId}?vkey=${server.key}` });
    assert.equal(response.statusCode, 200);
    const body = response.json<Record<string, unknown>>();
    assert.equal(body.Id, server.projectId);
    assert.equal(body.Name, 'Test project');
    assert.equal(body.PlayerColor, '#2f6fed');
    assert.equal(body.PagePlayerLink, 'http://localhost:80/v/{videoslug}');
    assert.equal(body.OutputCoverFrame, 5);
    assert.deepEqual(body.HeaderList, ['TXT_USEREMAIL']);
    assert.equal(body.ProjectState, 'Live');
    assert.deepEqual(body.VariableKeys, [
      'TXT_USEREMAIL',
      'TXT_NAME',
      'TXT_METIER',
      'TXT_MAP_IMG_map.png',
      'IMG_photo.png',
      'IMG_badge',
      'VID_clip',
    ]);
    const videos = body.Videos as Record<string, unknown>[];
    assert.equal(videos.length, 1);
    assert.equal(videos[0]?.Id, videoId);
    assert.equal(videos[0]?.Duration, 1);
  });

  it('lists the variables by kind', async () => {
    for (const url of [`/v1/project/${server.projectId}/variables`, `/v1/video/${videoId}/variables`]) {
      const response = await server.app.inject({ url: `${url}?vkey=${server.key}` });
      assert.equal(response.statusCode, 200, url);
      const body = response.json<{ Texts: unknown[]; Images: unknown[]; Videos: unknown[] }>();
      assert.deepEqual(body.Texts[1], {
        Name: 'TXT_NAME',
        DefaultValue: 'Ada Lovelace',
        ExampleValue: 'Grace Hopper',
        MaxLength: 20,
        IsAddress: false,
      });
      assert.deepEqual(body.Texts[3], {
        Name: 'TXT_MAP_IMG_map.png',
        DefaultValue: '1 rue de Rivoli 75001 Paris',
        ExampleValue: null,
        MaxLength: null,
        IsAddress: true,
      });
      assert.deepEqual(body.Images[1], {
        Name: 'IMG_badge',
        DefaultValue: 'blue',
        Width: 64,
        Height: 64,
        PredefinedChoices: { blue: 'badge-blue.png', red: 'badge-red.png' },
        AllowUpload: false,
      });
      assert.deepEqual(body.Videos, [
        { Name: 'VID_clip', DefaultValue: 'clip-default.mp4', Width: 160, Height: 90 },
      ]);
    }
  });

  it('returns the video template: duration, size, frame rate, cover', async () => {
    const response = await server.app.inject({
      url: `/v1/video/${videoId}`,
      headers: { authorization: `Bearer ${server.key}` },
    });
    assert.equal(response.statusCode, 200);
    const body = response.json<Record<string, unknown>>();
    assert.equal(body.Id, videoId);
    assert.equal(body.Name, 'API test');
    assert.equal(body.Duration, 1);
    assert.equal(body.Width, 320);
    assert.equal(body.Height, 180);
    assert.equal(body.FrameRate, 10);
    assert.equal(body.FrameCount, 10);
    assert.equal(body.OutputCoverFrame, 5);
    assert.equal(body.CoverTime, 0.5);
  });

  it('reports a template that disappeared with TEMPLATE_NOT_FOUND', async () => {
    const { mkdtemp, cp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'vidata-template-'));
    await cp(API_TEMPLATE, dir, { recursive: true });
    const { project, key } = await server.services.projects.create({ name: 'Fragile', templateDir: dir });
    await rm(dir, { recursive: true, force: true });
    const response = await server.app.inject({ url: `/v1/project/${project.id}/variables?vkey=${key}` });
    assert.equal(response.statusCode, 500);
    assert.equal(errorOf(response).code, 'TEMPLATE_NOT_FOUND');
  });
});

describe('key isolation between two projects', () => {
  let server: TestServer;
  let other: { id: string; key: string; videoId: string };
  let otherVidata: string;
  before(async () => {
    server = await startTestServer();
    const created = await server.services.projects.create({ name: 'Other', templateDir: API_TEMPLATE });
    other = { id: created.project.id, key: created.key, videoId: created.project.videoId };
    otherVidata = await createVidata({ ...server, key: other.key });
    await waitForVidata({ ...server, key: other.key }, otherVidata, (b) => b.Status === 'done');
  });
  after(() => server.close());

  it("answers 404 for every route on the other project's data", async () => {
    const urls = [
      ['GET', `/v1/project/${other.id}`],
      ['GET', `/v1/project/${other.id}/variables`],
      ['GET', `/v1/video/${other.videoId}`],
      ['GET', `/v1/video/${other.videoId}/variables`],
      ['GET', `/v1/vidata/${otherVidata}`],
      ['GET', `/v1/vidata/${otherVidata}/variables`],
      ['DELETE', `/v1/vidata/${otherVidata}`],
    ] as const;
    for (const [method, url] of urls) {
      const response = await server.app.inject({ method, url: `${url}?vkey=${server.key}` });
      assert.equal(response.statusCode, 404, `${method} ${url}`);
      assert.equal(errorOf(response).code, 'NOT_FOUND');
      assert.doesNotMatch(response.body, /Other/);
    }
    const still = await server.app.inject({ url: `/v1/vidata/${otherVidata}?vkey=${other.key}` });
    assert.equal(still.statusCode, 200);
  });

  it('refuses an upload Filename of the other project', async () => {
    const { readFile } = await import('node:fs/promises');
    const uploaded = await upload({ ...server, key: other.key }, await readFile(PHOTO), 'photo.png');
    assert.equal(uploaded.statusCode, 201, uploaded.body);
    const filename = uploaded.json<{ Filename: string }>().Filename;
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/vidata',
      payload: { key: server.key, variables: { TXT_USEREMAIL: 'a@example.org', 'IMG_photo.png': filename } },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(errorOf(response).code, 'UPLOAD_NOT_FOUND');
  });

  it('stops accepting a key once rotated', async () => {
    const rotated = await server.services.projects.rotateKey(other.id);
    const old = await server.app.inject({ url: `/v1/project/${other.id}?vkey=${other.key}` });
    assert.equal(old.statusCode, 401);
    assert.equal(errorOf(old).code, 'UNAUTHORIZED');
    const fresh = await server.app.inject({ url: `/v1/project/${other.id}?vkey=${rotated.key}` });
    assert.equal(fresh.statusCode, 200);
  });
});
