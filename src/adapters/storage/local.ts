/** File storage in a local folder: the embedded default. */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertKey, type ByteRange, type FileStorage } from './types.ts';

export class LocalFileStorage implements FileStorage {
  readonly root: string;
  private readonly tempRoot: string;

  /** Stores files under `root/files`; temporary files go to `root/tmp`, on the same disk so `put` is a rename. */
  constructor(root: string) {
    this.root = path.join(path.resolve(root), 'files');
    this.tempRoot = path.join(path.resolve(root), 'tmp');
  }

  private pathOf(key: string): string {
    assertKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, sourcePath: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(sourcePath, target);
    } catch (error) {
      // A source on another file system cannot be renamed; copy it, then remove the source.
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(sourcePath, target);
      await unlink(sourcePath);
    }
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { size: info.size } : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  read(key: string, range?: ByteRange): Readable {
    return createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
  }

  localPath(key: string): Promise<string> {
    return Promise.resolve(this.pathOf(key));
  }

  async deleteFolder(prefix: string): Promise<void> {
    await rm(this.pathOf(prefix), { recursive: true, force: true });
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async removeTempDirs(): Promise<void> {
    await rm(this.tempRoot, { recursive: true, force: true });
  }

  async makeTempDir(): Promise<string> {
    await mkdir(this.tempRoot, { recursive: true });
    return mkdtemp(path.join(this.tempRoot, 'work-'));
  }
}
