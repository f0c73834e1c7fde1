/**
 * Assembles the service from its adapters: the database (SQLite file or PostgreSQL), local file
 * storage, the database queue, and the project, upload and Vidata services on top.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { openDatabase, type DatabaseOptions } from '../adapters/database/connect.ts';
import type { Db } from '../adapters/database/schema.ts';
import { DatabaseJobQueue } from '../adapters/queue/database-queue.ts';
import type { JobQueue } from '../adapters/queue/types.ts';
import { LocalFileStorage } from '../adapters/storage/local.ts';
import type { FileStorage } from '../adapters/storage/types.ts';
import { SegmentCache } from '../engine/cache/store.ts';
import { createMapProvider } from '../maps/index.ts';
import { ProjectService } from './projects.ts';
import { RateLimiter } from './rate-limit.ts';
import { createRenderHandlers, type RenderFunction } from './render-job.ts';
import { UploadService } from './uploads/uploads.ts';
import { VidataService } from './vidatas.ts';

export interface Services {
  config: Config;
  logger: Logger;
  db: Db;
  storage: FileStorage;
  queue: JobQueue;
  projects: ProjectService;
  uploads: UploadService;
  vidatas: VidataService;
  /** Starts the render workers (after recovering jobs a crash interrupted). */
  startWorkers(render: RenderFunction): Promise<void>;
  /** Stops the workers (running renders go back to the queue) and closes the database. */
  close(): Promise<void>;
}

export interface OpenServicesOptions {
  config: Config;
  logger: Logger;
  /** Overrides the database chosen by the config (tests use a PostgreSQL schema of their own). */
  database?: DatabaseOptions;
  /** Queue timings, for tests. */
  queueTimings?: { pollMs?: number; retryDelayMs?: number };
}

export function databaseOptions(config: Config): DatabaseOptions {
  return config.server.databaseUrl
    ? { kind: 'postgres', connectionString: config.server.databaseUrl }
    : { kind: 'sqlite', file: path.join(config.server.dataDir, 'vidata.sqlite') };
}

export async function openServices(options: OpenServicesOptions): Promise<Services> {
  const { config, logger } = options;
  const server = config.server;
  const db = await openDatabase(options.database ?? databaseOptions(config));
  const storage = new LocalFileStorage(server.dataDir);
  const queue = new DatabaseJobQueue({
    db,
    concurrency: server.renderConcurrency,
    maxAttempts: server.maxAttempts,
    logger,
    ...options.queueTimings,
  });
  const projects = new ProjectService(db);
  const cache = new SegmentCache({ dir: server.cacheDir, maxBytes: server.cacheMaxBytes });
  const maps = createMapProvider(config.maps, {
    cacheDir: path.join(server.dataDir, 'cache', 'maps'),
    logger,
  });
  // The map provider loads its geocoder on first use, which for the offline tables takes about
  // half a second: it is loaded now, so the first create request that checks an address does not wait.
  void maps.geocoder;
  const uploads = new UploadService({
    db,
    storage,
    projects,
    ffmpeg: config.ffmpeg,
    maxImagePixels: server.maxImagePixels,
  });
  const vidatas = new VidataService({
    db,
    storage,
    queue,
    projects,
    uploads,
    rateLimiter: new RateLimiter(server.rateLimitPerMinute),
    logger,
    maps,
  });
  let workersStarted = false;
  return {
    config,
    logger,
    db,
    storage,
    queue,
    projects,
    uploads,
    vidatas,
    async startWorkers(render) {
      // Only this process works in the data folder, so every temporary folder left is a crash's leftover.
      await storage.removeTempDirs();
      // No render runs before the workers start, so a Vidata still marked rendering was cut off by a
      // crash: it shows queued until the recovered job starts again.
      await db
        .updateTable('vidatas')
        .set({ status: 'queued', progress: 0, updated_at: new Date().toISOString() })
        .where('status', '=', 'rendering')
        .execute();
      await queue.start(
        createRenderHandlers({
          db,
          storage,
          projects,
          uploads,
          render,
          ffmpeg: config.ffmpeg,
          maps,
          cache,
          logger,
        }),
      );
      workersStarted = true;
    },
    async close() {
      if (workersStarted) await queue.stop();
      await db.destroy();
    },
  };
}
