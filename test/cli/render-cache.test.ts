import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { countFrames } from '../../bench/quality.ts';
import { BASIC_TEMPLATE, REPO, decodeErrors, run } from '../engine/media-checks.ts';

const BIN = path.join(REPO, 'bin/vidata.js');

describe('vidata render and the segment cache', () => {
  let dir: string;
  let cacheDir: string;
  const vidata = (args: string[]) =>
    run(process.execPath, [BIN, 'render', BASIC_TEMPLATE, '--no-progress', ...args], {
      cwd: REPO,
      env: { ...process.env, VIDATA_CACHE_DIR: cacheDir, VIDATA_DATA_DIR: path.join(dir, 'data') },
    });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vidata-cli-cache-'));
    cacheDir = path.join(dir, 'segments');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('renders --no-cache without the cache', async () => {
    const out = path.join(dir, 'single.mp4');
    const result = await vidata(['--set', 'TXT_NAME=Ada', '--out', out, '--no-cache']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await decodeErrors(out), '');
    assert.equal(await countFrames(out), 75);
    await assert.rejects(readdir(cacheDir), { code: 'ENOENT' });
  });

  it('fills VIDATA_CACHE_DIR by default', async () => {
    const first = path.join(dir, 'first.mp4');
    assert.equal((await vidata(['--set', 'TXT_NAME=Ada', '--out', first])).code, 0);
    const entries = (await readdir(cacheDir)).sort();
    // The intro scene and the soundtrack: media and metadata each.
    assert.equal(entries.filter((name) => name.endsWith('.mp4')).length, 2, entries.join(' '));
    assert.equal(entries.filter((name) => name.endsWith('.json')).length, 2, entries.join(' '));

    const second = path.join(dir, 'second.mp4');
    assert.equal((await vidata(['--set', 'TXT_NAME=Grace', '--out', second])).code, 0);
    assert.deepEqual((await readdir(cacheDir)).sort(), entries);
    assert.equal(await decodeErrors(second), '');
    assert.equal(await countFrames(second), 75);
  });
});
