import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_TEMPLATE, SAMPLE_VARIABLES, errorOf, startTestServer, type TestServer } from './helpers.ts';

interface BatchCreated {
  batchId: string;
  Created: { Index: number; VidataId: string }[];
  Invalid: { Index: number; code: string; field?: string; errors: { code: string }[] }[];
}

describe('POST /v1/vidata/batch', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { VIDATA_MAX_BATCH_SIZE: '5' } });
  });
  after(() => server.close());

  it('creates the valid rows and lists the invalid ones by index', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: `/v1/vidata/batch?vkey=${server.key}`,
      headers: { 'content-type': 'application/json' },
      // The public sample's form: ProjectKey is the project id, vkey authenticates, JSON5 syntax.
      payload: `{
        "ProjectKey": "${server.projectId}",
        "Customizations": [
          { TXT_USEREMAIL: "one@example.org", TXT_NAME: "One", },
          { TXT_NAME: "No address" },
          { variables: { TXT_USEREMAIL: "three@example.org" } },
          { TXT_USEREMAIL: "four@example.org", TXT_NAME: "${'x'.repeat(25)}", IMG_badge: "green" },
        ],
      }`,
    });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json<BatchCreated>();
    assert.match(body.batchId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      body.Created.map((c) => c.Index),
      [0, 2],
    );
    assert.deepEqual(
      body.Invalid.map((i) => [i.Index, i.code]),
      [
        [1, 'VARIABLE_REQUIRED'],
        [3, 'VARIABLE_TOO_LONG'],
      ],
    );
    assert.deepEqual(
      body.Invalid[1]?.errors.map((e) => e.code),
      ['VARIABLE_TOO_LONG', 'IMAGE_CHOICE_UNKNOWN'],
    );

    const status = await server.app.inject({ url: `/v1/vidata/batch/${body.batchId}?vkey=${server.key}` });
    assert.equal(status.statusCode, 200);
    const summary = status.json<{ Total: number; Counts: Record<string, number>; VidataIds: string[] }>();
    assert.equal(summary.Total, 2);
    assert.deepEqual(summary.VidataIds.sort(), body.Created.map((c) => c.VidataId).sort());
    const counted = Object.values(summary.Counts).reduce((a, b) => a + b, 0);
    assert.equal(counted, 2);

    const one = await server.app.inject({
      url: `/v1/vidata/${body.Created[0]?.VidataId}?vkey=${server.key}`,
    });
    assert.equal(one.json<{ BatchId: string }>().BatchId, body.batchId);
  });

  it('accepts the key as ProjectKey without vkey', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/vidata/batch',
      payload: { ProjectKey: server.key, Customizations: [SAMPLE_VARIABLES] },
    });
    assert.equal(response.statusCode, 201, response.body);
  });

  it('creates nothing and answers 400 when every row is invalid', async () => {
    const before = await server.services.db.selectFrom('vidatas').select('id').execute();
    const response = await server.app.inject({
      method: 'POST',
      url: `/v1/vidata/batch?vkey=${server.key}`,
      payload: { Customizations: [{ TXT_NAME: 'a' }, { TXT_USEREMAIL: 'bad' }] },
    });
    assert.equal(response.statusCode, 400);
    const error = errorOf(response);
    assert.equal(error.code, 'VARIABLE_REQUIRED');
    assert.deepEqual(
      error.errors?.map((e) => e.field),
      ['Customizations[0].variables.TXT_USEREMAIL', 'Customizations[1].variables.TXT_USEREMAIL'],
    );
    const afterRows = await server.services.db.selectFrom('vidatas').select('id').execute();
    assert.equal(afterRows.length, before.length);
  });

  it('refuses a ProjectKey naming another project than the key', async () => {
    const other = await server.services.projects.create({ name: 'Other', templateDir: API_TEMPLATE });
    for (const projectKey of [other.project.id, other.key, 'no-such-project']) {
      const response = await server.app.inject({
        method: 'POST',
        url: `/v1/vidata/batch?vkey=${server.key}`,
        payload: { ProjectKey: projectKey, Customizations: [SAMPLE_VARIABLES] },
      });
      assert.equal(response.statusCode, 404, projectKey);
      assert.equal(errorOf(response).code, 'NOT_FOUND');
      assert.equal(errorOf(response).field, 'ProjectKey');
    }
  });

  it('rejects a batch over the size limit with BODY_TOO_LARGE', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: `/v1/vidata/batch?vkey=${server.key}`,
      payload: { Customizations: Array.from({ length: 6 }, () => SAMPLE_VARIABLES) },
    });
    assert.equal(response.statusCode, 413);
    assert.equal(errorOf(response).code, 'BODY_TOO_LARGE');
  });

  it('rejects an empty batch with VALIDATION_FAILED', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: `/v1/vidata/batch?vkey=${server.key}`,
      payload: { Customizations: [] },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(errorOf(response).code, 'VALIDATION_FAILED');
    assert.equal(errorOf(response).field, 'Customizations');
  });

  it("answers 404 for an unknown or another project's batch", async () => {
    const other = await server.services.projects.create({ name: 'Other 2', templateDir: API_TEMPLATE });
    const created = await server.app.inject({
      method: 'POST',
      url: `/v1/vidata/batch?vkey=${other.key}`,
      payload: { Customizations: [SAMPLE_VARIABLES] },
    });
    const batchId = created.json<BatchCreated>().batchId;
    for (const id of [batchId, '00000000-0000-0000-0000-000000000000']) {
      const response = await server.app.inject({ url: `/v1/vidata/batch/${id}?vkey=${server.key}` });
      assert.equal(response.statusCode, 404);
      assert.equal(errorOf(response).code, 'NOT_FOUND');
    }
  });
});

describe('request body limit', () => {
  it('rejects a body over VIDATA_MAX_BODY_BYTES with BODY_TOO_LARGE', async () => {
    const server = await startTestServer({ env: { VIDATA_MAX_BODY_BYTES: '2000' } });
    try {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/vidata',
        payload: { key: server.key, variables: { ...SAMPLE_VARIABLES, TXT_NAME: 'x'.repeat(3000) } },
      });
      assert.equal(response.statusCode, 413);
      assert.equal(errorOf(response).code, 'BODY_TOO_LARGE');
    } finally {
      await server.close();
    }
  });
});
