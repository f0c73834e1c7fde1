import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { API_TEMPLATE, startTestServer } from './helpers.ts';
import { runCli } from './process.ts';

describe('vidata projects', () => {
  let dataDir: string;
  let env: Record<string, string>;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'vidata-cli-'));
    env = { VIDATA_DATA_DIR: dataDir };
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('creates, lists and rotates; only the latest key opens the project', async () => {
    const created = await runCli(
      ['projects', 'create', '--template', API_TEMPLATE, '--name', 'Acme', '--json'],
      env,
    );
    const { Id, Key } = JSON.parse(created.stdout) as { Id: string; Key: string };
    assert.match(Id, /^[0-9a-z]{16}$/);
    assert.match(Key, /^vk_[0-9a-f]{32}$/);

    const listed = JSON.parse((await runCli(['projects', 'list', '--json'], env)).stdout) as {
      Id: string;
      Name: string;
    }[];
    assert.deepEqual(
      listed.map((p) => [p.Id, p.Name]),
      [[Id, 'Acme']],
    );
    assert.doesNotMatch(JSON.stringify(listed), /vk_/);

    const rotated = JSON.parse((await runCli(['projects', 'rotate-key', Id, '--json'], env)).stdout) as {
      Id: string;
      Key: string;
    };
    assert.equal(rotated.Id, Id);
    assert.notEqual(rotated.Key, Key);

    const server = await startTestServer({ dataDir, project: { id: Id, key: rotated.Key }, noWorkers: true });
    try {
      const fresh = await server.app.inject({ url: `/v1/project/${Id}?vkey=${rotated.Key}` });
      assert.equal(fresh.statusCode, 200);
      const old = await server.app.inject({ url: `/v1/project/${Id}?vkey=${Key}` });
      assert.equal(old.statusCode, 401);
    } finally {
      await server.close();
    }
  });

  it('reports a broken template folder and creates nothing', async () => {
    await assert.rejects(
      runCli(['projects', 'create', '--template', path.join(dataDir, 'nope'), '--name', 'X'], env),
      /TEMPLATE_NOT_FOUND/,
    );
    const listed = JSON.parse((await runCli(['projects', 'list', '--json'], env)).stdout) as unknown[];
    assert.equal(listed.length, 1);
  });

  it('reports an unknown project id on rotate-key', async () => {
    await assert.rejects(runCli(['projects', 'rotate-key', 'nope'], env), /NOT_FOUND/);
  });
});
