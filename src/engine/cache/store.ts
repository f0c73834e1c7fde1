/**
 * The segment cache: encoded chunks (and soundtracks) that look the same in every Vidata of a template
 * version, stored on disk under a folder the caller chooses, so they survive restarts.
 *
 * Each entry is two files named by the hash of its key: `<hash>.mp4` (the media) and `<hash>.json`
 * (its size and SHA-256). Both are written beside their final name and renamed into place, so a
 * crash leaves at most a temporary file, never a half-written entry under its final name. Every read
 * checks the size and the hash; an entry that fails is removed and reported as a miss, and the caller
 * encodes it again. A hit sets the media file's modification time, which is what the size limit uses
 * to evict the least recently used entries first.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  copyFile,
  link,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';

export interface SegmentCacheOptions {
  /** Folder of the entries; made when missing. */
  dir: string;
  /** Largest total size of the entries in bytes; the least recently used ones are removed past it. */
  maxBytes: number;
}

/** Result of a lookup: the path of the entry's verified copy, or the reason for a miss. */
export type CacheLookup = { hit: true; file: string } | { hit: false; reason: 'missing' | 'corrupt' };

interface EntryMeta {
  size: number;
  sha256: string;
}

/**
 * Temporary files older than this are left from a crashed writer and are removed by the size check.
 * A live writer finishes a chunk in seconds.
 */
const STALE_TEMP_MS = 10 * 60 * 1000;
const KEY_PATTERN = /^[0-9a-f]{16,64}$/;
const TEMP_SUFFIX = '.partial';

export class SegmentCache {
  readonly dir: string;
  readonly maxBytes: number;
  #ready: Promise<void> | undefined;
  /** The running size check. A put during a check sets `#trimAgain`, so one more check follows. */
  #trimming: Promise<void> | undefined;
  #trimAgain = false;

  constructor(options: SegmentCacheOptions) {
    if (!Number.isFinite(options.maxBytes) || options.maxBytes < 0) {
      throw new RangeError(`The cache size limit must be a number of bytes >= 0, not ${options.maxBytes}.`);
    }
    this.dir = path.resolve(options.dir);
    this.maxBytes = options.maxBytes;
  }

  /**
   * Looks up `key` (a hex hash) and, on a hit, links or copies the entry to `target`, so that the
   * entry may be evicted while the caller still reads its copy. The copy is the one verified.
   */
  async get(key: string, target: string): Promise<CacheLookup> {
    checkKey(key);
    await this.#mkdir();
    const media = this.#media(key);
    let meta: EntryMeta;
    try {
      meta = parseMeta(await readFile(this.#meta(key), 'utf8'));
    } catch (error) {
      if (isMissing(error)) {
        return { hit: false, reason: 'missing' };
      }
      await this.#remove(key);
      return { hit: false, reason: 'corrupt' };
    }
    try {
      await rm(target, { force: true });
      await linkOrCopy(media, target);
    } catch (error) {
      // Media without its metadata is an entry whose writer stopped between the two renames.
      if (!isMissing(error)) throw error;
      await this.#remove(key);
      return { hit: false, reason: 'corrupt' };
    }
    const actual = await fileDigest(target);
    if (actual.size !== meta.size || actual.sha256 !== meta.sha256) {
      await rm(target, { force: true });
      await this.#remove(key);
      return { hit: false, reason: 'corrupt' };
    }
    const now = new Date();
    await utimes(media, now, now).catch(() => undefined);
    return { hit: true, file: target };
  }

  /** Stores a copy of `source` under `key`, then removes old entries past the size limit. */
  async put(key: string, source: string): Promise<void> {
    checkKey(key);
    await this.#mkdir();
    const suffix = `.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    const media = this.#media(key);
    const mediaTemp = `${media}${suffix}`;
    const metaTemp = `${this.#meta(key)}${suffix}`;
    try {
      await copyFile(source, mediaTemp);
      const digest = await fileDigest(mediaTemp);
      await writeFile(metaTemp, JSON.stringify(digest));
      // Media first, so a reader that finds the metadata also finds the media it describes. Two
      // writers of one key write the same content. If their renames interleave, the next read finds a
      // mismatch and removes the entry, and the segment is encoded again.
      await rename(mediaTemp, media);
      await rename(metaTemp, this.#meta(key));
    } finally {
      await rm(mediaTemp, { force: true });
      await rm(metaTemp, { force: true });
    }
    await this.trim();
  }

  /** Removes the least recently used entries until the total is within the limit. */
  trim(): Promise<void> {
    if (this.#trimming) {
      this.#trimAgain = true;
      return this.#trimming;
    }
    this.#trimming = (async () => {
      try {
        do {
          this.#trimAgain = false;
          await this.#trimOnce();
        } while (this.#trimAgain);
      } finally {
        this.#trimming = undefined;
      }
    })();
    return this.#trimming;
  }

  /** Total bytes of the entries (media and metadata). */
  async size(): Promise<number> {
    return (await this.#entries()).reduce((sum, entry) => sum + entry.bytes, 0);
  }

  async #trimOnce(): Promise<void> {
    const entries = await this.#entries();
    let total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
    entries.sort((a, b) => a.used - b.used);
    for (const entry of entries) {
      if (total <= this.maxBytes) break;
      await this.#remove(entry.key);
      total -= entry.bytes;
    }
  }

  async #entries(): Promise<{ key: string; bytes: number; used: number }[]> {
    await this.#mkdir();
    const names = await readdir(this.dir);
    const now = Date.now();
    const entries = new Map<string, { key: string; bytes: number; used: number }>();
    for (const name of names) {
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      if (name.endsWith(TEMP_SUFFIX)) {
        if (now - info.mtimeMs > STALE_TEMP_MS) await rm(file, { force: true });
        continue;
      }
      const key = name.replace(/\.(mp4|json)$/, '');
      if (!KEY_PATTERN.test(key)) continue;
      const entry = entries.get(key) ?? { key, bytes: 0, used: 0 };
      entry.bytes += info.size;
      if (name.endsWith('.mp4')) entry.used = info.mtimeMs;
      entries.set(key, entry);
    }
    return [...entries.values()];
  }

  async #remove(key: string): Promise<void> {
    // Metadata first, so that the entry stops being a hit before its media goes.
    await rm(this.#meta(key), { force: true });
    await rm(this.#media(key), { force: true });
  }

  #media(key: string): string {
    return path.join(this.dir, `${key}.mp4`);
  }

  #meta(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  #mkdir(): Promise<void> {
    this.#ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    return this.#ready;
  }
}

function checkKey(key: string): void {
  // Keys become file names; only hashes are accepted, so no key can name a path.
  if (!KEY_PATTERN.test(key)) throw new RangeError(`A cache key must be a hex hash, not "${key}".`);
}

function parseMeta(text: string): EntryMeta {
  const value = JSON.parse(text) as Partial<EntryMeta>;
  if (typeof value.size !== 'number' || typeof value.sha256 !== 'string') {
    throw new Error('Invalid cache metadata: the size or the hash is missing.');
  }
  return { size: value.size, sha256: value.sha256 };
}

async function linkOrCopy(source: string, target: string): Promise<void> {
  try {
    await link(source, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Another file system, or one without hard links, gets a copy instead.
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
    await copyFile(source, target);
  }
}

async function fileDigest(file: string): Promise<EntryMeta> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    hash.update(bytes);
  }
  return { size, sha256: hash.digest('hex') };
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
