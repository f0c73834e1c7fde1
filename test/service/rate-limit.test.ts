import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VidataError } from '../../src/errors.ts';
import { RateLimiter } from '../../src/service/rate-limit.ts';

describe('RateLimiter', () => {
  it('allows the limit per minute, then rejects with the wait', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(3, () => now);
    limiter.take('p', 2);
    limiter.take('p', 1);
    now += 15_000;
    assert.throws(
      () => limiter.take('p', 1),
      (error: unknown) =>
        error instanceof VidataError &&
        error.code === 'RATE_LIMITED' &&
        (error.details as { retryAfter: number }).retryAfter === 45,
    );
  });

  it('takes nothing from a rejected request', () => {
    let now = 0;
    const limiter = new RateLimiter(3, () => now);
    limiter.take('p', 2);
    assert.throws(() => limiter.take('p', 2));
    limiter.take('p', 1);
    now += 60_000;
    limiter.take('p', 3);
  });

  it('counts each project apart', () => {
    const limiter = new RateLimiter(1, () => 0);
    limiter.take('a', 1);
    limiter.take('b', 1);
    assert.throws(() => limiter.take('a', 1));
  });
});
