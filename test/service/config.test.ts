import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { VidataError } from '../../src/errors.ts';

describe('loadConfig', () => {
  it('fills every server default', () => {
    const { server } = loadConfig({});
    assert.equal(server.port, 8080);
    assert.equal(server.host, '127.0.0.1');
    assert.equal(server.dataDir, path.resolve('data'));
    assert.equal(server.databaseUrl, undefined);
    assert.equal(server.baseUrl, undefined);
    assert.equal(server.renderConcurrency, Math.max(1, os.availableParallelism()));
    assert.equal(server.maxAttempts, 3);
    assert.equal(server.maxUploadBytes, 100 * 1024 * 1024);
    assert.equal(server.maxImagePixels, 40_000_000);
    assert.equal(server.maxBodyBytes, 1024 * 1024);
    assert.equal(server.maxBatchSize, 1000);
    assert.equal(server.rateLimitPerMinute, 600);
    assert.equal(server.logLevel, 'info');
  });

  it('reads the settings it is given', () => {
    const { server } = loadConfig({
      PORT: '0',
      VIDATA_DATA_DIR: '/srv/vidata',
      VIDATA_BASE_URL: 'https://video.example.org/',
      VIDATA_RENDER_CONCURRENCY: '3',
      VIDATA_DATABASE_URL: 'postgres://vidata@db.invalid/vidata',
    });
    assert.equal(server.port, 0);
    assert.equal(server.dataDir, '/srv/vidata');
    assert.equal(server.baseUrl, 'https://video.example.org');
    assert.equal(server.renderConcurrency, 3);
    assert.equal(server.databaseUrl, 'postgres://vidata@db.invalid/vidata');
  });

  it('names each invalid setting', () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORT: 'eighty' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ VIDATA_RENDER_CONCURRENCY: '0' }, 'VIDATA_RENDER_CONCURRENCY'],
      [{ VIDATA_MAX_ATTEMPTS: '1.5' }, 'VIDATA_MAX_ATTEMPTS'],
      [{ VIDATA_BASE_URL: 'ftp://example.org' }, 'VIDATA_BASE_URL'],
      [{ VIDATA_DATABASE_URL: 'mysql://x' }, 'VIDATA_DATABASE_URL'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ];
    for (const [env, setting] of cases) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) =>
          error instanceof VidataError &&
          error.code === 'VALIDATION_FAILED' &&
          error.field === setting &&
          error.message.includes(setting),
        setting,
      );
    }
  });
});
