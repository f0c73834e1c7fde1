import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clipColor, clipColorFilters } from '../../src/engine/color.ts';
import type { StreamInfo } from '../../src/engine/probe.ts';

function stream(fields: Partial<StreamInfo>): StreamInfo {
  return {
    index: 0,
    type: 'video',
    codec: 'h264',
    width: 1280,
    height: 720,
    pixelFormat: 'yuv420p',
    ...fields,
  };
}

describe('clipColor', () => {
  it('reads the matrix tag', () => {
    assert.equal(clipColor(stream({ colorSpace: 'bt709', height: 480 })).matrix, 'bt709');
    assert.equal(clipColor(stream({ colorSpace: 'smpte170m' })).matrix, 'bt601');
    assert.equal(clipColor(stream({ colorSpace: 'bt470bg' })).matrix, 'bt601');
  });

  it('reads an untagged clip by its size', () => {
    assert.equal(clipColor(stream({ width: 1280, height: 720 })).matrix, 'bt709');
    assert.equal(clipColor(stream({ width: 720, height: 1280 })).matrix, 'bt709');
    assert.equal(clipColor(stream({ width: 640, height: 360 })).matrix, 'bt601');
  });

  it('finds full range from the tag or the pixel format', () => {
    assert.equal(clipColor(stream({ colorRange: 'pc' })).fullRange, true);
    assert.equal(clipColor(stream({ pixelFormat: 'yuvj420p' })).fullRange, true);
    assert.equal(clipColor(stream({ colorRange: 'tv' })).fullRange, false);
  });
});

describe('clipColorFilters', () => {
  it('passes a BT.709 limited-range clip through', () => {
    assert.deepEqual(clipColorFilters({ matrix: 'bt709', fullRange: false }), []);
  });

  it('converts range, then matrix', () => {
    assert.deepEqual(clipColorFilters({ matrix: 'bt601', fullRange: true }), [
      'scale=in_range=pc:out_range=tv',
      'format=yuv420p',
      'colormatrix=bt601:bt709',
    ]);
  });
});
