/** The whole service on PostgreSQL instead of SQLite: same routes, same responses. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { postgresDatabase, type TestDatabase } from '../adapters/databases.ts';
import {
  SAMPLE_VARIABLES,
  createVidata,
  errorOf,
  startTestServer,
  waitForVidata,
  type TestServer,
} from './helpers.ts';

describe('API on PostgreSQL', () => {
  let database: TestDatabase;
  let server: TestServer;
  before(async () => {
    database = await postgresDatabase();
    server = await startTestServer({ database: database.options });
  });
  after(async () => {
    await server?.close();
    await database?.drop();
  });

  it('creates, renders, lists values and deletes', async () => {
    const id = await createVidata(server);
    const done = await waitForVidata(server, id, (b) => b.Status === 'done');
    assert.equal(done.Duration, 1);
    assert.equal(done.Width, 320);

    const values = await server.app.inject({ url: `/v1/vidata/${id}/variables?vkey=${server.key}` });
    assert.equal(
      values.json<{ Variables: Record<string, string> }>().Variables.TXT_NAME,
      SAMPLE_VARIABLES.TXT_NAME,
    );

    const removed = await server.app.inject({ method: 'DELETE', url: `/v1/vidata/${id}?vkey=${server.key}` });
    assert.equal(removed.statusCode, 204);
    assert.equal(existsSync(path.join(server.dataDir, 'files', 'vidatas', id)), false);
  });

  it('replays an idempotent create and counts a batch', async () => {
    const send = () =>
      server.app.inject({
        method: 'POST',
        url: '/v1/vidata',
        headers: { 'idempotency-key': 'pg-1' },
        payload: { key: server.key, variables: SAMPLE_VARIABLES },
      });
    const first = await send();
    const second = await send();
    assert.equal(second.json<{ VidataId: string }>().VidataId, first.json<{ VidataId: string }>().VidataId);

    const batch = await server.app.inject({
      method: 'POST',
      url: `/v1/vidata/batch?vkey=${server.key}`,
      payload: { Customizations: [SAMPLE_VARIABLES, { TXT_NAME: 'no address' }] },
    });
    assert.equal(batch.statusCode, 201);
    const { batchId } = batch.json<{ batchId: string }>();
    const summary = await server.app.inject({ url: `/v1/vidata/batch/${batchId}?vkey=${server.key}` });
    assert.equal(summary.json<{ Total: number }>().Total, 1);
  });

  it('keeps another project out', async () => {
    const { API_TEMPLATE } = await import('./helpers.ts');
    const other = await server.services.projects.create({ name: 'Other', templateDir: API_TEMPLATE });
    const id = await createVidata({ ...server, key: other.key });
    const response = await server.app.inject({ url: `/v1/vidata/${id}?vkey=${server.key}` });
    assert.equal(response.statusCode, 404);
    assert.equal(errorOf(response).code, 'NOT_FOUND');
  });
});
