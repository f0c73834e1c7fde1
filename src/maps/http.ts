/**
 * HTTP plumbing shared by the online geocoder and the tile map: a time budget per request
 * (retries included), retries on 429 (honouring Retry-After) and 5xx, a minimum interval between
 * requests to one server, and a disk cache.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A failed request, with the kind of failure; the caller turns it into its own error code. */
export class FetchFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'status' | 'network' | 'rate-limited',
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FetchFailure';
  }
}

/**
 * Spaces the requests to one server: each starts at least `minIntervalMs` after the previous one,
 * and none starts before a Retry-After delay the server asked for has passed.
 */
export class RequestPacer {
  #next = 0;
  #queue: Promise<void> = Promise.resolve();

  constructor(readonly minIntervalMs: number) {}

  /** Waits for this request's turn. */
  wait(signal: AbortSignal): Promise<void> {
    const turn = this.#queue.then(async () => {
      const delay = this.#next - Date.now();
      if (delay > 0) await sleep(delay, undefined, { signal });
      this.#next = Math.max(this.#next, Date.now() + this.minIntervalMs);
    });
    // A cancelled wait must not block the requests queued behind it.
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Holds every request until `ms` from now. */
  pause(ms: number): void {
    this.#next = Math.max(this.#next, Date.now() + ms);
  }
}

export interface FetchOptions {
  timeoutMs: number;
  userAgent: string;
  pacer: RequestPacer;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** Maximum attempts for one request: a 429 or 5xx response is retried while the time budget lasts. */
const MAX_ATTEMPTS = 3;
/** Wait before retrying after a 5xx response or a network error. */
const RETRY_DELAY_MS = 250;

/** GETs `url` and returns the body of a 2xx response; throws FetchFailure, or the caller's abort reason. */
export async function fetchBytes(url: string, options: FetchOptions): Promise<Buffer> {
  const deadline = Date.now() + options.timeoutMs;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let last: FetchFailure | undefined;
  try {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await options.pacer.wait(signal);
      let response: Response;
      try {
        response = await fetch(url, {
          signal,
          headers: { 'user-agent': options.userAgent, ...options.headers },
          redirect: 'follow',
        });
      } catch (cause) {
        if (signal.aborted) throw cause;
        last = new FetchFailure('network', `request to ${hostOf(url)} failed: ${String(cause)}`, undefined, {
          cause,
        });
        await sleep(RETRY_DELAY_MS, undefined, { signal });
        continue;
      }
      if (response.ok) {
        try {
          return Buffer.from(await response.arrayBuffer());
        } catch (cause) {
          if (signal.aborted) throw cause;
          last = new FetchFailure(
            'network',
            `reading the answer of ${hostOf(url)} failed: ${String(cause)}`,
            undefined,
            {
              cause,
            },
          );
          continue;
        }
      }
      await response.body?.cancel();
      if (response.status === 429) {
        const waitMs = retryAfterMs(response.headers.get('retry-after')) ?? 1000;
        options.pacer.pause(waitMs);
        last = new FetchFailure('rate-limited', `${hostOf(url)} answered 429 Too Many Requests`, 429);
        // Waiting past the budget is pointless: the request fails now and the job is retried later.
        if (Date.now() + waitMs >= deadline) break;
        continue;
      }
      last = new FetchFailure('status', `${hostOf(url)} answered HTTP ${response.status}`, response.status);
      if (response.status < 500) break;
      await sleep(RETRY_DELAY_MS, undefined, { signal });
    }
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) {
      throw new FetchFailure(
        'timeout',
        `${hostOf(url)} did not answer within ${options.timeoutMs} ms`,
        undefined,
        { cause },
      );
    }
    throw cause;
  }
  throw last ?? new FetchFailure('network', `request to ${hostOf(url)} failed`);
}

/** Retry-After in milliseconds, from seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Host and port only: URLs may carry API keys in their query, which must not reach messages or logs. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}

/** Files keyed by a hash of a string, written atomically, read back while younger than `maxAgeMs`. */
export class DiskCache {
  constructor(
    readonly folder: string,
    readonly maxAgeMs: number,
  ) {}

  #file(key: string): string {
    const hash = createHash('sha256').update(key).digest('hex');
    return path.join(this.folder, hash.slice(0, 2), hash);
  }

  async get(key: string): Promise<Buffer | undefined> {
    if (this.maxAgeMs <= 0) return undefined;
    const file = this.#file(key);
    try {
      const info = await stat(file);
      if (Date.now() - info.mtimeMs > this.maxAgeMs) return undefined;
      return await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async set(key: string, data: Buffer): Promise<void> {
    if (this.maxAgeMs <= 0) return;
    const file = this.#file(key);
    await mkdir(path.dirname(file), { recursive: true });
    // Written beside the target and renamed, so a reader never sees half a file.
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, data);
    await rename(temporary, file);
  }
}

export const DAY_MS = 24 * 60 * 60 * 1000;
