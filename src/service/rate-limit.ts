/** A per-project limit on how many Vidatas are created per minute. */
import { VidataError } from '../errors.ts';

/**
 * Counts creations in fixed one-minute windows.
 * NOTE: counts live in this process's memory, so they reset at a restart and are not shared
 * between several server processes.
 */
export class RateLimiter {
  private readonly perMinute: number;
  private readonly windows = new Map<string, { start: number; used: number }>();
  private readonly now: () => number;

  constructor(perMinute: number, now: () => number = Date.now) {
    this.perMinute = perMinute;
    this.now = now;
  }

  /** Takes `count` creations from the project's allowance, or throws RATE_LIMITED taking none. */
  take(projectId: string, count: number): void {
    const now = this.now();
    let window = this.windows.get(projectId);
    if (!window || now - window.start >= 60_000) {
      window = { start: now, used: 0 };
      this.windows.set(projectId, window);
    }
    if (window.used + count > this.perMinute) {
      const retryAfter = Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000));
      throw new VidataError(
        'RATE_LIMITED',
        `This project may create ${this.perMinute} Vidatas per minute; try again in ${retryAfter} s.`,
        { details: { retryAfter } },
      );
    }
    window.used += count;
  }
}
