import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERROR_CATALOGUE, VidataError, type ErrorCode } from '../../src/errors.ts';
import { errorOf, startTestServer, type TestServer } from './helpers.ts';

const docsFile = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'api.md');

/** Reads the error table of docs/api.md: code to documented status. */
async function documentedCodes(): Promise<Map<string, number>> {
  const text = await readFile(docsFile, 'utf8');
  const rows = [...text.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)];
  return new Map(rows.map((row) => [row[1] as string, Number(row[2])]));
}

describe('docs/api.md error table', () => {
  it('lists every catalogue code with its status', async () => {
    const documented = await documentedCodes();
    for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) {
      assert.equal(documented.get(code), spec.status, `${code} in docs/api.md`);
    }
  });

  it('lists no code missing from the catalogue', async () => {
    const documented = await documentedCodes();
    for (const code of documented.keys())
      assert.ok(code in ERROR_CATALOGUE, `${code} is not in ERROR_CATALOGUE`);
  });
});

describe('error handler', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('answers every catalogue code with its status and body', async () => {
    const { buildApp } = await import('../../src/api/app.ts');
    const { pino } = await import('pino');
    const app = await buildApp({ services: server.services, logger: pino({ level: 'silent' }) });
    app.get('/throw/:code', (request) => {
      const { code } = request.params as { code: ErrorCode };
      throw new VidataError(code, `failure ${code}`, { field: 'somewhere' });
    });
    await app.ready();
    try {
      for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) {
        const response = await app.inject({ url: `/throw/${code}` });
        assert.equal(response.statusCode, spec.status, code);
        assert.deepEqual(response.json(), { code, message: `failure ${code}`, field: 'somewhere' });
      }
    } finally {
      await app.close();
    }
  });

  it('answers an unexpected error with INTERNAL and no details', async () => {
    const { buildApp } = await import('../../src/api/app.ts');
    const { pino } = await import('pino');
    const app = await buildApp({ services: server.services, logger: pino({ level: 'silent' }) });
    app.get('/crash', () => {
      throw new Error('database password is hunter2');
    });
    await app.ready();
    try {
      const response = await app.inject({ url: '/crash' });
      assert.equal(response.statusCode, 500);
      assert.equal(errorOf(response).code, 'INTERNAL');
      assert.doesNotMatch(response.body, /hunter2/);
    } finally {
      await app.close();
    }
  });
});
