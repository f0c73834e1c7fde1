/** Uploads: files a project sends for its IMG_ and VID_ variables, checked and stored under a random name. */
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VidataError } from '../../errors.ts';
import type { Db, UploadRow } from '../../adapters/database/schema.ts';
import type { FileStorage } from '../../adapters/storage/types.ts';
import { newId } from '../ids.ts';
import { inspectMedia, type InspectOptions } from './inspect.ts';

export interface Upload {
  filename: string;
  kind: 'image' | 'video';
  contentType: string;
  size: number;
  width: number;
  height: number;
  duration: number | undefined;
  createdAt: string;
}

export function uploadKey(projectId: string, filename: string): string {
  return `uploads/${projectId}/${filename}`;
}

export class UploadService {
  private readonly db: Db;
  private readonly storage: FileStorage;
  private readonly inspect: InspectOptions;

  constructor(options: { db: Db; storage: FileStorage; inspect: InspectOptions }) {
    this.db = options.db;
    this.storage = options.storage;
    this.inspect = options.inspect;
  }

  /**
   * Writes the stream to a temporary file, checks its bytes and stores it. `isTruncated` returns
   * whether the stream was cut at the size limit. Nothing is stored when a check fails.
   */
  async store(projectId: string, stream: Readable, isTruncated: () => boolean): Promise<Upload> {
    const dir = await this.storage.makeTempDir();
    try {
      const file = path.join(dir, 'upload');
      await pipeline(stream, createWriteStream(file));
      if (isTruncated()) {
        throw new VidataError('UPLOAD_TOO_LARGE', 'The file is larger than the upload limit.', {
          field: 'file',
        });
      }
      const info = await inspectMedia(file, this.inspect);
      const { size } = await stat(file);
      const filename = `${newId()}.${info.extension}`;
      await this.storage.put(uploadKey(projectId, filename), file);
      const row: UploadRow = {
        filename,
        project_id: projectId,
        kind: info.kind,
        content_type: info.contentType,
        size,
        width: info.width,
        height: info.height,
        duration: info.duration ?? null,
        created_at: new Date().toISOString(),
      };
      await this.db.insertInto('uploads').values(row).execute();
      return toUpload(row);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Tells whether `filename` is an upload of this project of the given kind. */
  async exists(projectId: string, filename: string, kind: 'image' | 'video'): Promise<boolean> {
    const row = await this.db
      .selectFrom('uploads')
      .select('filename')
      .where('filename', '=', filename)
      .where('project_id', '=', projectId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Returns a local path of the upload for the render engine. */
  localPath(projectId: string, filename: string): Promise<string> {
    return this.storage.localPath(uploadKey(projectId, filename));
  }
}

function toUpload(row: UploadRow): Upload {
  return {
    filename: row.filename,
    kind: row.kind,
    contentType: row.content_type,
    size: Number(row.size),
    width: row.width,
    height: row.height,
    duration: row.duration ?? undefined,
    createdAt: row.created_at,
  };
}
