import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VidataError } from '../../src/errors.ts';
import { ffmpegFilters, requireFilters } from '../../src/media/capabilities.ts';
import { tools } from './helpers.ts';

describe('ffmpeg capabilities', () => {
  it('lists the filters of the bundled build', async () => {
    const filters = await ffmpegFilters(tools.ffmpeg);
    for (const name of ['zscale', 'tonemap', 'fps', 'tpad', 'yadif', 'scale', 'anullsrc']) {
      assert.ok(filters.has(name), `missing ${name}`);
    }
    assert.equal(filters.has('Filters:'), false);
  });

  it('names a missing filter', async () => {
    await assert.rejects(requireFilters(tools.ffmpeg, ['scale', 'no_such_filter'], 'this test'), (error) => {
      assert.ok(error instanceof VidataError);
      assert.equal(error.code, 'FFMPEG_NOT_FOUND');
      assert.match(error.message, /no "no_such_filter" filter, which this test needs/);
      return true;
    });
  });
});
