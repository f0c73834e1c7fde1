import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { LocalFileStorage } from '../../src/adapters/storage/local.ts';

describe('LocalFileStorage', () => {
  let root: string;
  let storage: LocalFileStorage;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vidata-storage-'));
    storage = new LocalFileStorage(root);
  });
  after(() => rm(root, { recursive: true, force: true }));

  async function stage(content: string): Promise<string> {
    const dir = await storage.makeTempDir();
    const file = path.join(dir, 'f');
    await writeFile(file, content);
    return file;
  }

  it('moves a file in and reads it whole or by range', async () => {
    const source = await stage('0123456789');
    await storage.put('vidatas/a/video.mp4', source);
    assert.equal(existsSync(source), false);
    assert.deepEqual(await storage.stat('vidatas/a/video.mp4'), { size: 10 });
    assert.equal(await text(storage.read('vidatas/a/video.mp4')), '0123456789');
    assert.equal(await text(storage.read('vidatas/a/video.mp4', { start: 2, end: 4 })), '234');
    assert.equal(await readFile(await storage.localPath('vidatas/a/video.mp4'), 'utf8'), '0123456789');
  });

  it('replaces a file under the same key', async () => {
    await storage.put('k/file', await stage('one'));
    await storage.put('k/file', await stage('two'));
    assert.equal(await text(storage.read('k/file')), 'two');
  });

  it('returns undefined for a missing file', async () => {
    assert.equal(await storage.stat('nothing/here'), undefined);
  });

  it('deletes a folder and a file, missing or not', async () => {
    await storage.put('vidatas/b/video.mp4', await stage('x'));
    await storage.put('vidatas/b/cover.jpg', await stage('y'));
    await storage.delete('vidatas/b/cover.jpg');
    assert.equal(await storage.stat('vidatas/b/cover.jpg'), undefined);
    await storage.deleteFolder('vidatas/b');
    assert.equal(await storage.stat('vidatas/b/video.mp4'), undefined);
    await storage.deleteFolder('vidatas/b');
    await storage.delete('vidatas/b/video.mp4');
  });

  it('removes leftover temporary folders', async () => {
    const dir = await storage.makeTempDir();
    await writeFile(path.join(dir, 'partial.mp4'), 'x');
    await storage.removeTempDirs();
    assert.equal(existsSync(dir), false);
    const next = await storage.makeTempDir();
    assert.ok(existsSync(next));
  });

  it('rejects keys that could leave the root', async () => {
    for (const key of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a/./b', '']) {
      await assert.rejects(storage.stat(key), /Invalid storage key/, key);
    }
  });
});
