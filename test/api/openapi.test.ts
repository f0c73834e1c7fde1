import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers.ts';

describe('OpenAPI document', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('describes every public route', async () => {
    const response = await server.app.inject({ url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const document = response.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    assert.match(document.openapi, /^3\./);
    const routes = Object.entries(document.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`),
    );
    for (const route of [
      'GET /v1/project/{projectId}',
      'GET /v1/project/{projectId}/variables',
      'GET /v1/video/{videoId}',
      'GET /v1/video/{videoId}/variables',
      'POST /v1/upload',
      'POST /v1/vidata',
      'GET /v1/vidata/{vidataId}',
      'GET /v1/vidata/{vidataId}/variables',
      'DELETE /v1/vidata/{vidataId}',
      'POST /v1/vidata/batch',
      'GET /v1/vidata/batch/{batchId}',
      'GET /media/{vidataId}/{file}',
      'GET /v/{vidataId}',
    ]) {
      assert.ok(routes.includes(route), `${route} missing from ${routes.join(', ')}`);
    }
  });

  it('documents the create body and its 201 answer', async () => {
    const document = (await server.app.inject({ url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    }>();
    const create = document.paths['/v1/vidata']?.post;
    assert.ok(create?.requestBody);
    assert.ok(create.responses['201']);
    assert.ok(create.responses['400']);
  });

  it('answers the health check', async () => {
    const response = await server.app.inject({ url: '/health' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok' });
  });

  it('serves the interactive reference at /docs', async () => {
    const response = await server.app.inject({ url: '/docs/' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /text\/html/);
    assert.match(response.body, /swagger/i);
  });
});
