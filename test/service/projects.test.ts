import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/adapters/database/connect.ts';
import type { Db } from '../../src/adapters/database/schema.ts';
import { ProjectService } from '../../src/service/projects.ts';

const WELCOME = path.resolve(import.meta.dirname, '../../templates/welcome');

describe('ProjectService.authenticate', () => {
  let dir: string;
  let db: Db;
  let projects: ProjectService;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vidata-projects-'));
    db = await openDatabase({ kind: 'sqlite', file: path.join(dir, 'vidata.sqlite') });
    projects = new ProjectService(db);
  });

  after(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects a rotated key at once', async () => {
    const { project, key } = await projects.create({ name: 'Rotation', templateDir: WELCOME });
    // The first call remembers the key's project.
    assert.equal((await projects.authenticate(key)).id, project.id);
    const rotated = await projects.rotateKey(project.id);
    await assert.rejects(projects.authenticate(key), { code: 'UNAUTHORIZED' });
    assert.equal((await projects.authenticate(rotated.key)).id, project.id);
  });

  it('rejects an unknown key every time', async () => {
    await assert.rejects(projects.authenticate('vk_unknown'), { code: 'UNAUTHORIZED' });
    await assert.rejects(projects.authenticate('vk_unknown'), { code: 'UNAUTHORIZED' });
  });
});
