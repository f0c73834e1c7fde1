/**
 * Uploads: files a project sends for its IMG_ and VID_ variables, checked and stored under a random
 * name. Images are stored as sent; clips are stored only in their normalized form.
 */
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VidataError } from '../../errors.ts';
import type { Db, UploadRow } from '../../adapters/database/schema.ts';
import type { FileStorage } from '../../adapters/storage/types.ts';
import type { FfmpegTools } from '../../engine/types.ts';
import { newId } from '../ids.ts';
import type { ProjectService } from '../projects.ts';
import { normalizeUpload } from './clip.ts';
import { inspectImageFile, readFormat, type MediaInfo } from './inspect.ts';

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

export interface UploadServiceOptions {
  db: Db;
  storage: FileStorage;
  /** Gives each project's template, whose format clips are normalized to. */
  projects: ProjectService;
  ffmpeg: FfmpegTools;
  maxImagePixels: number;
}

export interface StoreOptions {
  /** The sender's file name, used only to name the clip in error messages. */
  name?: string | undefined;
  /** Stops the clip's normalization, for instance when the client has gone away. */
  signal?: AbortSignal | undefined;
}

/** A checked file, ready to be moved into storage. */
interface Checked extends MediaInfo {
  file: string;
}

export function uploadKey(projectId: string, filename: string): string {
  return `uploads/${projectId}/${filename}`;
}

export class UploadService {
  private readonly options: UploadServiceOptions;

  constructor(options: UploadServiceOptions) {
    this.options = options;
  }

  /**
   * Writes the stream to a temporary file, checks its bytes and stores it; a clip is normalized
   * first and only the normalized file is stored. `isTruncated` returns whether the stream was cut
   * at the size limit. Nothing is stored when a check fails: the temporary folder, with the raw
   * upload and any partial output, is removed whatever happens.
   */
  async store(
    projectId: string,
    stream: Readable,
    isTruncated: () => boolean,
    options: StoreOptions = {},
  ): Promise<Upload> {
    const { storage, db } = this.options;
    const dir = await storage.makeTempDir();
    try {
      const raw = path.join(dir, 'upload');
      await pipeline(stream, createWriteStream(raw));
      // Checked before any decoding, so a file over the limit never reaches ffmpeg.
      if (isTruncated()) {
        throw new VidataError('UPLOAD_TOO_LARGE', 'The file is larger than the upload limit.', {
          field: 'file',
        });
      }
      const checked = await this.check(projectId, raw, dir, options);
      const { size } = await stat(checked.file);
      const filename = `${newId()}.${checked.extension}`;
      const key = uploadKey(projectId, filename);
      await storage.put(key, checked.file);
      const row: UploadRow = {
        filename,
        project_id: projectId,
        kind: checked.kind,
        content_type: checked.contentType,
        size,
        width: checked.width,
        height: checked.height,
        duration: checked.duration ?? null,
        created_at: new Date().toISOString(),
      };
      try {
        await db.insertInto('uploads').values(row).execute();
      } catch (error) {
        // A stored file without its row could never be used nor listed.
        await storage.delete(key);
        throw error;
      }
      return toUpload(row);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async check(projectId: string, raw: string, dir: string, options: StoreOptions): Promise<Checked> {
    const format = await readFormat(raw);
    if (format.kind === 'image') {
      return { file: raw, ...(await inspectImageFile(raw, format, this.options.maxImagePixels)) };
    }
    const { projects, ffmpeg } = this.options;
    const template = await projects.template(await projects.get(projectId));
    const clip = await normalizeUpload({
      input: raw,
      outputDir: dir,
      template,
      ffmpeg,
      label: options.name ?? 'file',
      signal: options.signal,
    });
    return {
      file: clip.file,
      kind: 'video',
      contentType: 'video/mp4',
      extension: 'mp4',
      width: clip.width,
      height: clip.height,
      duration: clip.duration,
    };
  }

  /** Tells whether `filename` is an upload of this project of the given kind. */
  async exists(projectId: string, filename: string, kind: 'image' | 'video'): Promise<boolean> {
    const row = await this.options.db
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
    return this.options.storage.localPath(uploadKey(projectId, filename));
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
