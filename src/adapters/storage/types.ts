/**
 * File storage for uploads and rendered outputs, addressed by keys such as
 * `uploads/<projectId>/<filename>` or `vidatas/<vidataId>/video.mp4`. The embedded adapter keeps
 * files in a local folder; an S3-compatible adapter can implement the same interface.
 */
import type { Readable } from 'node:stream';

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface FileStorage {
  /** Moves a finished local file into storage under `key`, replacing any file already there. */
  put(key: string, sourcePath: string): Promise<void>;
  /** Returns the size of the stored file, or undefined when there is none. */
  stat(key: string): Promise<{ size: number } | undefined>;
  /** Streams the file, or one byte range of it. */
  read(key: string, range?: ByteRange): Readable;
  /** Returns a local path the engine can read; remote adapters download to a cache first. */
  localPath(key: string): Promise<string>;
  /** Removes every file whose key starts with `prefix` followed by "/"; no error when there is none. */
  deleteFolder(prefix: string): Promise<void>;
  /** Removes one file; no error when there is none. */
  delete(key: string): Promise<void>;
  /** Makes a new private local folder for files being written (removed by the caller). */
  makeTempDir(): Promise<string>;
  /** Removes the temporary folders a crashed process left behind; call it before any work starts. */
  removeTempDirs(): Promise<void>;
}

const KEY = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_.-]+)*$/;

/** Checks that a key is made of plain path segments, so it can never leave the storage root. */
export function assertKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((part) => part === '.' || part === '..')) {
    throw new Error(`Invalid storage key "${key}"`);
  }
}
