import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashApiKey, hashJson, newApiKey, newBatchId, newId } from '../../src/service/ids.ts';

describe('ids and keys', () => {
  it('makes short URL-safe ids without repeats', () => {
    const ids = new Set(Array.from({ length: 10_000 }, newId));
    assert.equal(ids.size, 10_000);
    for (const id of ids) assert.match(id, /^[0-9a-z]{16}$/);
  });

  it('makes 128-bit keys and UUID batch ids', () => {
    assert.match(newApiKey(), /^vk_[0-9a-f]{32}$/);
    assert.notEqual(newApiKey(), newApiKey());
    assert.match(newBatchId(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('hashes keys with sha256', () => {
    assert.equal(hashApiKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes JSON the same whatever the key order', () => {
    assert.equal(hashJson({ a: 1, b: { c: [1, 2], d: 'x' } }), hashJson({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    assert.notEqual(hashJson({ a: 1 }), hashJson({ a: 2 }));
    assert.notEqual(hashJson({ a: [1, 2] }), hashJson({ a: [2, 1] }));
  });
});
