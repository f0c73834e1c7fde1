import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SegmentCache } from '../../src/engine/cache/store.ts';

const key = (name: string) => createHash('sha256').update(name).digest('hex').slice(0, 32);

describe('segment cache store', () => {
  let root: string;
  let n = 0;
  /** Makes a cache in a fresh folder, and names files for what is read from it. */
  const setup = (maxBytes = 1024 * 1024) => {
    const dir = path.join(root, `case-${n++}`);
    const cache = new SegmentCache({ dir: path.join(dir, 'cache'), maxBytes });
    return { cache, dir, file: (name: string) => path.join(root, `${dir.split('/').at(-1)}-${name}`) };
  };
  const source = async (name: string, bytes: number, fill = 1) => {
    const file = path.join(root, `source-${name}`);
    await writeFile(file, Buffer.alloc(bytes, fill));
    return file;
  };

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vidata-cache-store-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('returns stored entries after a restart', async () => {
    const { cache, file } = setup();
    assert.deepEqual(await cache.get(key('a'), file('miss.mp4')), { hit: false, reason: 'missing' });
    await cache.put(key('a'), await source('a', 5000, 7));
    const first = await cache.get(key('a'), file('a1.mp4'));
    assert.deepEqual(first, { hit: true, file: file('a1.mp4') });
    assert.deepEqual(await readFile(file('a1.mp4')), Buffer.alloc(5000, 7));

    const restarted = new SegmentCache({ dir: cache.dir, maxBytes: cache.maxBytes });
    assert.equal((await restarted.get(key('a'), file('a2.mp4'))).hit, true);
    assert.deepEqual(await readFile(file('a2.mp4')), Buffer.alloc(5000, 7));
  });

  it('rejects and replaces a changed entry', async () => {
    const { cache, file } = setup();
    await cache.put(key('b'), await source('b', 4000, 2));
    const media = path.join(cache.dir, `${key('b')}.mp4`);
    const bytes = await readFile(media);
    bytes[1234] = 99;
    await writeFile(media, bytes);
    assert.deepEqual(await cache.get(key('b'), file('b1.mp4')), { hit: false, reason: 'corrupt' });
    assert.deepEqual(await readdir(cache.dir), [], 'the corrupt entry is removed');
    await assert.rejects(stat(file('b1.mp4')), { code: 'ENOENT' }, 'no copy of a corrupt entry is left');

    await cache.put(key('b'), await source('b', 4000, 2));
    assert.equal((await cache.get(key('b'), file('b2.mp4'))).hit, true);
  });

  it('detects half-written entries', async () => {
    const { cache, file } = setup();
    await cache.put(key('c'), await source('c', 4000));
    await truncate(path.join(cache.dir, `${key('c')}.mp4`), 1000);
    assert.deepEqual(await cache.get(key('c'), file('c.mp4')), { hit: false, reason: 'corrupt' });

    await cache.put(key('d'), await source('d', 4000));
    await rm(path.join(cache.dir, `${key('d')}.json`));
    assert.deepEqual(await cache.get(key('d'), file('d.mp4')), { hit: false, reason: 'missing' });

    await cache.put(key('e'), await source('e', 4000));
    await writeFile(path.join(cache.dir, `${key('e')}.json`), '{"size": 4');
    assert.deepEqual(await cache.get(key('e'), file('e.mp4')), { hit: false, reason: 'corrupt' });

    await cache.put(key('f'), await source('f', 4000));
    await rm(path.join(cache.dir, `${key('f')}.mp4`));
    assert.deepEqual(await cache.get(key('f'), file('f.mp4')), { hit: false, reason: 'corrupt' });
  });

  it('evicts least recently used entries', async () => {
    // Three entries of 10,000 bytes (plus about 90 bytes of metadata each) in a 25,000-byte cache.
    const { cache, file } = setup(25_000);
    const old = new Date(Date.now() - 60_000);
    await cache.put(key('1'), await source('1', 10_000));
    await utimes(path.join(cache.dir, `${key('1')}.mp4`), old, old);
    await cache.put(key('2'), await source('2', 10_000));
    await utimes(path.join(cache.dir, `${key('2')}.mp4`), old, new Date(old.getTime() + 1000));
    // Reading entry 1 makes it the most recently used, so entry 2 goes first.
    assert.equal((await cache.get(key('1'), file('1.mp4'))).hit, true);
    await cache.put(key('3'), await source('3', 10_000));

    assert.equal((await cache.get(key('1'), file('1b.mp4'))).hit, true);
    assert.deepEqual(await cache.get(key('2'), file('2.mp4')), { hit: false, reason: 'missing' });
    assert.equal((await cache.get(key('3'), file('3.mp4'))).hit, true);
    assert.ok((await cache.size()) <= 25_000);
  });

  it('removes stale temporary files', async () => {
    const { cache } = setup();
    await cache.put(key('g'), await source('g', 100));
    const stale = path.join(cache.dir, `${key('h')}.mp4.0a0b0c0d0e0f.partial`);
    const fresh = path.join(cache.dir, `${key('i')}.mp4.0a0b0c0d0e0f.partial`);
    await writeFile(stale, 'x');
    await writeFile(fresh, 'x');
    const longAgo = new Date(Date.now() - 3600_000);
    await utimes(stale, longAgo, longAgo);
    await cache.trim();
    const names = await readdir(cache.dir);
    assert.ok(!names.includes(path.basename(stale)));
    assert.ok(names.includes(path.basename(fresh)));
  });

  it('accepts only hex keys', async () => {
    const { cache, file } = setup();
    await assert.rejects(cache.get('../escape', file('x.mp4')), RangeError);
    await assert.rejects(cache.put('ABC', file('x.mp4')), RangeError);
    assert.throws(() => new SegmentCache({ dir: root, maxBytes: -1 }), RangeError);
  });
});
