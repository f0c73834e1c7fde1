/**
 * The render job: what a queue worker does for one Vidata. It calls the engine through
 * `RenderFunction`, so the queue and the service can be tested with a stand-in render.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { VidataError, isVidataError } from '../errors.ts';
import type { ChunkCache } from '../engine/cache/segments.ts';
import type { FfmpegTools, RenderRequest, RenderResult } from '../engine/types.ts';
import {
  templateMapFonts,
  type KnownLocations,
  type MapFont,
  type VidataMapProvider,
} from '../maps/index.ts';
import type { GeocodeResult } from '../maps/types.ts';
import type { Template } from '../template/load.ts';
import type { ResolvedValues } from '../template/values.ts';
import type { Db } from '../adapters/database/schema.ts';
import type { JobHandlers, QueuedJob } from '../adapters/queue/types.ts';
import type { FileStorage } from '../adapters/storage/types.ts';
import type { ProjectService } from './projects.ts';
import type { UploadService } from './uploads/uploads.ts';
import { outputKeys } from './vidatas.ts';

/**
 * The map fonts and places of a request's map provider, in a form that can be copied to another
 * process. A render function that runs the request in a worker process rebuilds the provider from it.
 */
export interface RenderHints {
  maps?: { fonts: MapFont[]; locations: KnownLocations };
}

export type RenderFunction = (request: RenderRequest, hints?: RenderHints) => Promise<RenderResult>;

export interface RenderJobOptions {
  db: Db;
  storage: FileStorage;
  projects: ProjectService;
  uploads: UploadService;
  render: RenderFunction;
  ffmpeg: FfmpegTools;
  maps: VidataMapProvider;
  /** The segment cache shared by every render of this process. */
  cache?: ChunkCache;
  logger: Logger;
}

/** Progress is written at most this often, so a fast render does not flood the database. */
const PROGRESS_INTERVAL_MS = 500;

export function createRenderHandlers(options: RenderJobOptions): JobHandlers {
  return {
    process: (job) => renderVidata(options, job),
    failed: async ({ vidataId }, error) => {
      const shown = publicError(error);
      await options.db
        .updateTable('vidatas')
        .set({
          status: 'failed',
          error_code: shown.code,
          error_message: shown.message,
          updated_at: new Date().toISOString(),
        })
        .where('id', '=', vidataId)
        .execute();
    },
  };
}

async function renderVidata(options: RenderJobOptions, job: QueuedJob): Promise<void> {
  const { db, storage, projects, uploads, logger } = options;
  const { vidataId } = job;
  const row = await db.selectFrom('vidatas').selectAll().where('id', '=', vidataId).executeTakeFirst();
  if (!row) return;
  const project = await projects.get(row.project_id);
  const template = await projects.template(project);
  await setStatus(db, vidataId, { status: 'rendering', progress: 0, error_code: null, error_message: null });
  logger.info({ vidataId, attempt: job.attempt }, 'render started');

  const workDir = await storage.makeTempDir();
  const progress = new ProgressWriter(db, vidataId, logger);
  try {
    const values = JSON.parse(row.resolved) as ResolvedValues;
    const mapHints = await renderMapHints(template, values, options.maps, job.signal);
    const result = await options.render(
      {
        template,
        values,
        output: { video: path.join(workDir, 'video.mp4'), cover: path.join(workDir, 'cover.jpg') },
        ffmpeg: options.ffmpeg,
        media: { resolveUpload: (filename) => uploads.localPath(project.id, filename) },
        maps: options.maps.withFonts(mapHints.fonts, mapHints.locations),
        cache: options.cache,
        workDir,
        onEvent: (event) => {
          if (event.type === 'progress') progress.report(event.progress);
          else if (event.type === 'warning') logger.warn({ vidataId, code: event.code }, 'render warning');
        },
        signal: job.signal,
      },
      { maps: mapHints },
    );
    await progress.flush();
    if (job.signal.aborted) throw new VidataError('RENDER_CANCELLED', 'The render was cancelled.');
    const keys = outputKeys(vidataId);
    await storage.put(keys.video, result.video);
    await storage.put(keys.cover, result.cover);
    await setStatus(db, vidataId, {
      status: 'done',
      progress: 100,
      duration: result.duration,
      width: result.width,
      height: result.height,
    });
    logger.info(
      { vidataId, ms: Object.values(result.timings).reduce((a, b) => a + (b ?? 0), 0) },
      'render done',
    );
  } catch (error) {
    await progress.flush();
    // Back to queued until the queue decides: it retries, or calls `failed`, which marks the Vidata failed.
    await setStatus(db, vidataId, { status: 'queued', progress: 0 });
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Lists the template's map fonts and geocodes the job's map addresses in this process, so a render
 * worker draws its maps without loading a geocoder of its own (the offline tables take about
 * 85 MB). Online geocoders then keep one request pacing for every worker. An address that cannot
 * be placed is recorded as undefined, so the render fails with ADDRESS_NOT_FOUND as before. Any other error leaves the address out, and
 * the render geocodes it again, because a map variable no layer shows must not fail the render.
 */
export async function renderMapHints(
  template: Template,
  values: ResolvedValues,
  maps: VidataMapProvider,
  signal?: AbortSignal,
): Promise<NonNullable<RenderHints['maps']>> {
  const locations = new Map<string, GeocodeResult | undefined>();
  for (const variable of template.variables) {
    if (variable.kind !== 'map') continue;
    const address = values.texts[variable.Name]?.trim() ?? '';
    if (address === '' || locations.has(address)) continue;
    try {
      locations.set(address, await maps.locate(address, { signal }));
    } catch (error) {
      if (isVidataError(error) && error.code === 'ADDRESS_NOT_FOUND') locations.set(address, undefined);
    }
  }
  return { fonts: templateMapFonts(template), locations };
}

async function setStatus(
  db: Db,
  vidataId: string,
  fields: Partial<{
    status: 'queued' | 'rendering' | 'done' | 'failed';
    progress: number;
    error_code: string | null;
    error_message: string | null;
    duration: number;
    width: number;
    height: number;
  }>,
): Promise<void> {
  await db
    .updateTable('vidatas')
    .set({ ...fields, updated_at: new Date().toISOString() })
    .where('id', '=', vidataId)
    .execute();
}

/** Writes progress to the database one write at a time, at most every PROGRESS_INTERVAL_MS. */
class ProgressWriter {
  private readonly db: Db;
  private readonly vidataId: string;
  private readonly logger: Logger;
  private lastWritten = 0;
  private lastTime = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(db: Db, vidataId: string, logger: Logger) {
    this.db = db;
    this.vidataId = vidataId;
    this.logger = logger;
  }

  report(progress: number): void {
    const value = Math.min(99, Math.floor(progress));
    const now = Date.now();
    if (value <= this.lastWritten || now - this.lastTime < PROGRESS_INTERVAL_MS) return;
    this.lastWritten = value;
    this.lastTime = now;
    this.pending = this.pending
      .then(() => setStatus(this.db, this.vidataId, { progress: value }))
      .catch((error: unknown) =>
        this.logger.warn({ err: error, vidataId: this.vidataId }, 'progress write failed'),
      );
  }

  flush(): Promise<void> {
    return this.pending;
  }
}

/** Returns the error shown to API callers: catalogue errors as they are, anything else without internals. */
function publicError(error: unknown): { code: string; message: string } {
  if (isVidataError(error)) return { code: error.code, message: error.message };
  return { code: 'RENDER_FAILED', message: 'The render failed; the server log has the details.' };
}
