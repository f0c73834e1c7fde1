import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  SAMPLE_VARIABLES,
  blockingRender,
  createVidata,
  errorOf,
  startTestServer,
  waitForVidata,
  type TestServer,
} from './helpers.ts';

describe('POST /v1/vidata', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('creates from the guide sample body (unquoted keys, trailing commas)', async () => {
    const body = `{
        key: "${server.key}",
        variables: {
        "TXT_USEREMAIL" : "matthieu@example.org",
  "TXT_NAME": "Matthieu Rogier",
              "TXT_METIER": "Métrologue",
        },
    }`;
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/vidata',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    assert.equal(response.statusCode, 201, response.body);
    const id = response.json<{ VidataId: string }>().VidataId;
    assert.match(id, /^[0-9a-z]{16}$/);
  });

  it('accepts the key as vkey, Bearer token and ProjectKey', async () => {
    for (const request of [
      { url: `/v1/vidata?vkey=${server.key}`, headers: {}, payload: { variables: SAMPLE_VARIABLES } },
      {
        url: '/v1/vidata',
        headers: { authorization: `Bearer ${server.key}` },
        payload: { variables: SAMPLE_VARIABLES },
      },
      { url: '/v1/vidata', headers: {}, payload: { ProjectKey: server.key, variables: SAMPLE_VARIABLES } },
    ]) {
      const response = await server.app.inject({ method: 'POST', ...request });
      assert.equal(response.statusCode, 201, `${request.url}: ${response.body}`);
    }
  });

  it('reads a JSON body sent as a form by curl -d', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/vidata',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: JSON.stringify({ key: server.key, variables: SAMPLE_VARIABLES }),
    });
    assert.equal(response.statusCode, 201, response.body);
  });

  const invalidCases: { name: string; variables: Record<string, unknown>; code: string; field: string }[] = [
    {
      name: 'missing TXT_USEREMAIL',
      variables: { TXT_NAME: 'Ada' },
      code: 'VARIABLE_REQUIRED',
      field: 'variables.TXT_USEREMAIL',
    },
    {
      name: 'invalid address',
      variables: { TXT_USEREMAIL: 'Ada <ada@example.org>' },
      code: 'EMAIL_INVALID',
      field: 'variables.TXT_USEREMAIL',
    },
    {
      name: 'unknown name',
      variables: { ...SAMPLE_VARIABLES, TXT_name: 'x' },
      code: 'VARIABLE_UNKNOWN',
      field: 'variables.TXT_name',
    },
    {
      name: 'too long',
      variables: { ...SAMPLE_VARIABLES, TXT_NAME: 'x'.repeat(21) },
      code: 'VARIABLE_TOO_LONG',
      field: 'variables.TXT_NAME',
    },
    {
      name: 'not a string',
      variables: { ...SAMPLE_VARIABLES, TXT_NAME: { a: 1 } },
      code: 'VARIABLE_INVALID',
      field: 'variables.TXT_NAME',
    },
    {
      name: 'unknown choice',
      variables: { ...SAMPLE_VARIABLES, IMG_badge: 'green' },
      code: 'IMAGE_CHOICE_UNKNOWN',
      field: 'variables.IMG_badge',
    },
    {
      name: 'unknown upload',
      variables: { ...SAMPLE_VARIABLES, 'IMG_photo.png': 'nope1234.png' },
      code: 'UPLOAD_NOT_FOUND',
      field: 'variables.IMG_photo.png',
    },
  ];
  invalidCases.push(
    {
      name: 'text too wide for its box',
      variables: { ...SAMPLE_VARIABLES, TXT_NAME: 'W'.repeat(20) },
      code: 'TEXT_DOES_NOT_FIT',
      field: 'variables.TXT_NAME',
    },
    {
      name: 'character no font covers',
      variables: { ...SAMPLE_VARIABLES, TXT_NAME: 'Ada \uE000' },
      code: 'TEXT_UNSUPPORTED_CHARACTER',
      field: 'variables.TXT_NAME',
    },
    {
      name: 'address the offline geocoder cannot place',
      variables: { ...SAMPLE_VARIABLES, 'TXT_MAP_IMG_map.png': 'Qwxzzy Plonkville 99999 Nowhereland' },
      code: 'ADDRESS_NOT_FOUND',
      field: 'variables.TXT_MAP_IMG_map.png',
    },
  );
  for (const testCase of invalidCases) {
    it(`rejects ${testCase.name} with ${testCase.code}`, async () => {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/vidata',
        payload: { key: server.key, variables: testCase.variables },
      });
      assert.equal(response.statusCode, 400);
      const body = response.json<{ code: string; field: string; message: string }>();
      assert.equal(body.code, testCase.code);
      assert.equal(body.field, testCase.field);
      assert.ok(body.message.length > 0);
    });
  }

  it('lists every problem at once and stores nothing', async () => {
    const before = await server.services.db.selectFrom('vidatas').select('id').execute();
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/vidata',
      payload: { key: server.key, variables: { TXT_NAME: 'x'.repeat(30), TXT_NOPE: 'y' } },
    });
    assert.equal(response.statusCode, 400);
    const codes = response
      .json<{ errors: { code: string }[] }>()
      .errors.map((e) => e.code)
      .sort();
    assert.deepEqual(codes, ['VARIABLE_REQUIRED', 'VARIABLE_TOO_LONG', 'VARIABLE_UNKNOWN']);
    const afterRows = await server.services.db.selectFrom('vidatas').select('id').execute();
    assert.equal(afterRows.length, before.length);
  });

  it('rejects a body without variables with VALIDATION_FAILED', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/vidata',
      payload: { key: server.key },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(errorOf(response).code, 'VALIDATION_FAILED');
    assert.equal(errorOf(response).field, 'variables');
  });

  it('rejects a body that is neither JSON nor JSON5 with INVALID_JSON', async () => {
    for (const payload of ['{key: "a", variables: {', '']) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/vidata',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      assert.equal(response.statusCode, 400, payload);
      assert.equal(errorOf(response).code, 'INVALID_JSON');
    }
  });

  it('rejects an XML body with UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/vidata',
      headers: { 'content-type': 'application/xml' },
      payload: '<vidata/>',
    });
    assert.equal(response.statusCode, 415);
    assert.equal(errorOf(response).code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('rejects a missing or wrong key with UNAUTHORIZED', async () => {
    for (const request of [
      { url: '/v1/vidata', headers: {} },
      { url: '/v1/vidata?vkey=vk_wrong', headers: {} },
      { url: '/v1/vidata', headers: { authorization: 'Basic abc' } },
    ]) {
      const response = await server.app.inject({
        method: 'POST',
        ...request,
        payload: { variables: SAMPLE_VARIABLES },
      });
      assert.equal(response.statusCode, 401, request.url);
      assert.equal(errorOf(response).code, 'UNAUTHORIZED');
    }
  });
});

describe('Idempotency-Key', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('returns the same Vidata for a retried create', async () => {
    const send = (variables: Record<string, unknown>) =>
      server.app.inject({
        method: 'POST',
        url: '/v1/vidata',
        headers: { 'idempotency-key': 'order-42' },
        payload: { key: server.key, variables },
      });
    const first = await send(SAMPLE_VARIABLES);
    const second = await send({ ...SAMPLE_VARIABLES });
    assert.equal(first.statusCode, 201);
    assert.equal(second.statusCode, 201);
    assert.equal(second.json<{ VidataId: string }>().VidataId, first.json<{ VidataId: string }>().VidataId);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    const rows = await server.services.db.selectFrom('vidatas').select('id').execute();
    assert.equal(rows.length, 1);
  });

  it('rejects the same key with other values with CONFLICT', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/vidata',
      headers: { 'idempotency-key': 'order-42' },
      payload: { key: server.key, variables: { ...SAMPLE_VARIABLES, TXT_NAME: 'Someone else' } },
    });
    assert.equal(response.statusCode, 409);
    assert.equal(errorOf(response).code, 'CONFLICT');
    assert.equal(errorOf(response).field, 'Idempotency-Key');
  });
});

describe('rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the limit', async () => {
    const server = await startTestServer({ env: { VIDATA_RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      await createVidata(server);
      await createVidata(server);
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/vidata',
        payload: { key: server.key, variables: SAMPLE_VARIABLES },
      });
      assert.equal(response.statusCode, 429);
      assert.equal(errorOf(response).code, 'RATE_LIMITED');
      assert.ok(Number(response.headers['retry-after']) >= 1);
    } finally {
      await server.close();
    }
  });
});

describe('GET and DELETE /v1/vidata/{id}', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('reaches done with links, size and duration', async () => {
    const id = await createVidata(server);
    const body = await waitForVidata(server, id, (b) => b.Status === 'done');
    assert.equal(body.VidataId, id);
    assert.equal(body.Progress, 100);
    assert.equal(body.Error, null);
    assert.equal(body.DownloadUri, `http://localhost:80/media/${id}/video.mp4`);
    assert.equal(body.CoverUrl, `http://localhost:80/media/${id}/cover.jpg`);
    assert.equal(body.PageUrl, `http://localhost:80/v/${id}`);
    assert.equal(body.Duration, 1);
    assert.equal(body.Width, 320);
    assert.equal(body.Height, 180);
    assert.equal(body.BatchId, null);
    assert.match(String(body.CreatedOnUtc), /^\d{4}-\d\d-\d\dT/);
    assert.match(String(body.UpdatedOnUtc), /^\d{4}-\d\d-\d\dT/);
  });

  it('returns the values used with defaults filled in', async () => {
    const id = await createVidata(server, { TXT_USEREMAIL: 'ada@example.org', IMG_badge: 'red' });
    const response = await server.app.inject({ url: `/v1/vidata/${id}/variables?vkey=${server.key}` });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      VidataId: id,
      Variables: {
        TXT_USEREMAIL: 'ada@example.org',
        TXT_NAME: 'Ada Lovelace',
        TXT_METIER: 'Métrologue',
        'TXT_MAP_IMG_map.png': '1 rue de Rivoli 75001 Paris',
        'IMG_photo.png': 'photo-default.png',
        IMG_badge: 'red',
        VID_clip: 'clip-default.mp4',
      },
    });
  });

  it('answers NOT_FOUND for an unknown id', async () => {
    for (const url of ['/v1/vidata/nope', '/v1/vidata/nope/variables']) {
      const response = await server.app.inject({ url: `${url}?vkey=${server.key}` });
      assert.equal(response.statusCode, 404, url);
      assert.equal(errorOf(response).code, 'NOT_FOUND');
    }
  });

  it('deletes the record and its files', async () => {
    const id = await createVidata(server);
    await waitForVidata(server, id, (b) => b.Status === 'done');
    const folder = path.join(server.dataDir, 'files', 'vidatas', id);
    assert.ok(existsSync(path.join(folder, 'video.mp4')));
    const response = await server.app.inject({
      method: 'DELETE',
      url: `/v1/vidata/${id}?vkey=${server.key}`,
    });
    assert.equal(response.statusCode, 204);
    assert.equal(response.body, '');
    assert.equal(existsSync(folder), false);
    const again = await server.app.inject({ url: `/v1/vidata/${id}?vkey=${server.key}` });
    assert.equal(again.statusCode, 404);
    const media = await server.app.inject({ url: `/media/${id}/video.mp4` });
    assert.equal(media.statusCode, 404);
  });

  it('answers NOT_FOUND for an unknown route', async () => {
    const response = await server.app.inject({ url: '/v1/nothing-here' });
    assert.equal(response.statusCode, 404);
    assert.equal(errorOf(response).code, 'NOT_FOUND');
  });
});

describe('render outcomes', () => {
  it('cancels a render in progress on DELETE', async () => {
    const blocking = blockingRender();
    const server = await startTestServer({ render: blocking.render });
    try {
      const id = await createVidata(server);
      const request = await blocking.started;
      await waitForVidata(server, id, (b) => b.Status === 'rendering');
      const response = await server.app.inject({
        method: 'DELETE',
        url: `/v1/vidata/${id}?vkey=${server.key}`,
      });
      assert.equal(response.statusCode, 204);
      assert.equal(request.signal?.aborted, true);
      assert.equal(existsSync(path.join(server.dataDir, 'files', 'vidatas', id)), false);
      const jobs = await server.services.db.selectFrom('jobs').selectAll().execute();
      assert.equal(jobs.length, 0);
    } finally {
      await server.close();
    }
  });

  it('shows a failed render with its error code', async () => {
    const { VidataError } = await import('../../src/errors.ts');
    const server = await startTestServer({
      render: () => Promise.reject(new VidataError('TEXT_DOES_NOT_FIT', 'TXT_NAME does not fit its box.')),
    });
    try {
      const id = await createVidata(server);
      const body = await waitForVidata(server, id, (b) => b.Status === 'failed');
      assert.deepEqual(body.Error, { code: 'TEXT_DOES_NOT_FIT', message: 'TXT_NAME does not fit its box.' });
      assert.equal(body.DownloadUri, null);
    } finally {
      await server.close();
    }
  });

  it('retries a retryable failure, then succeeds', async () => {
    const { VidataError } = await import('../../src/errors.ts');
    const { copyRender } = await import('./helpers.ts');
    let calls = 0;
    const succeed = copyRender();
    const server = await startTestServer({
      render: (request) => {
        calls++;
        return calls === 1
          ? Promise.reject(new VidataError('FFMPEG_FAILED', 'ffmpeg exited with 1'))
          : succeed(request);
      },
    });
    try {
      const id = await createVidata(server);
      await waitForVidata(server, id, (b) => b.Status === 'done');
      assert.equal(calls, 2);
    } finally {
      await server.close();
    }
  });

  it('hides the message of an unexpected error', async () => {
    const server = await startTestServer({
      env: { VIDATA_MAX_ATTEMPTS: '1' },
      render: () => Promise.reject(new Error('ENOSPC: /secret/path')),
    });
    try {
      const id = await createVidata(server);
      const body = await waitForVidata(server, id, (b) => b.Status === 'failed');
      assert.equal((body.Error as { code: string }).code, 'RENDER_FAILED');
      assert.doesNotMatch(JSON.stringify(body), /secret/);
    } finally {
      await server.close();
    }
  });
});
