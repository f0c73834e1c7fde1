/**
 * The one module that reads the environment. Every setting is declared here with its default and
 * validated once at start-up; other modules receive the typed `Config`, never `process.env`.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { VidataError } from './errors.ts';
import type { FfmpegTools } from './engine/types.ts';
import { checkMapSettings, mapSettingsSchema, type MapSettings } from './maps/settings.ts';

const require = createRequire(import.meta.url);

const positiveInt = (name: string) =>
  z.coerce.number().int(`${name} must be a whole number`).positive(`${name} must be > 0`);

const envSchema = z
  .object({
    /** Path of the ffmpeg binary. Default: the static build shipped by the npm package @ffmpeg-installer/ffmpeg. */
    FFMPEG_PATH: z.string().min(1).optional(),
    /** Path of the ffprobe binary. Default: the static build shipped by @ffprobe-installer/ffprobe. */
    FFPROBE_PATH: z.string().min(1).optional(),

    /** TCP port of the API server. Default 8080; 0 picks a free port. */
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    /**
     * Address the API server listens on. Default 127.0.0.1 so a fresh install is reachable only from
     * its own machine; set 0.0.0.0 in a container or behind a reverse proxy.
     */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Folder of the embedded database, the uploads and the rendered files. Default ./data. */
    VIDATA_DATA_DIR: z.string().min(1).default('./data'),
    /**
     * PostgreSQL connection string (postgres://user@host/db) to use instead of the embedded SQLite
     * file DATA_DIR/vidata.sqlite. Default: SQLite. Run one server process per database: the embedded
     * queue's crash recovery assumes it is the only worker.
     */
    VIDATA_DATABASE_URL: z
      .string()
      .regex(/^postgres(?:ql)?:\/\//, 'VIDATA_DATABASE_URL must start with postgres://')
      .optional(),
    /**
     * Public address of the server, used in DownloadUri, CoverUrl and the default PagePlayerLink
     * (e.g. https://video.example.org). Default: the scheme and Host header of each request.
     */
    VIDATA_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * Render worker processes the server starts, each running one render at a time. Default: one
     * per CPU core (at least one).
     */
    VIDATA_RENDER_CONCURRENCY: positiveInt('VIDATA_RENDER_CONCURRENCY').optional(),
    /**
     * Folder of the segment cache: encoded pieces of templates that look the same in every Vidata,
     * reused so that a render encodes only its personalized seconds. Default DATA_DIR/cache/segments.
     */
    VIDATA_CACHE_DIR: z.string().min(1).optional(),
    /**
     * Largest size of the segment cache in bytes; the least recently used pieces are removed past it.
     * Default 2 GB (a 30 s 720p template keeps about 2 MB per version); 0 keeps nothing.
     */
    VIDATA_CACHE_MAX_BYTES: z.coerce
      .number()
      .int('VIDATA_CACHE_MAX_BYTES must be a whole number')
      .min(0, 'VIDATA_CACHE_MAX_BYTES must be >= 0')
      .default(2 * 1024 ** 3),
    /**
     * How many times a render job is started before it is marked failed. A job interrupted by a crash
     * counts as one attempt, so a Vidata that crashes the server cannot loop for ever. Default 3.
     */
    VIDATA_MAX_ATTEMPTS: positiveInt('VIDATA_MAX_ATTEMPTS').default(3),
    /** Largest upload in bytes. Default 100 MB: a minute of 1080p video at a high bitrate. */
    VIDATA_MAX_UPLOAD_BYTES: positiveInt('VIDATA_MAX_UPLOAD_BYTES').default(100 * 1024 * 1024),
    /**
     * Largest image in pixels (width x height), checked before the image is decoded, so a small file
     * that decodes to gigabytes of pixels is rejected. Default 40 megapixels (a 7300x5500 photo).
     */
    VIDATA_MAX_IMAGE_PIXELS: positiveInt('VIDATA_MAX_IMAGE_PIXELS').default(40_000_000),
    /** Largest JSON request body in bytes. Default 1 MB, enough for a batch of a few thousand rows. */
    VIDATA_MAX_BODY_BYTES: positiveInt('VIDATA_MAX_BODY_BYTES').default(1024 * 1024),
    /** Largest number of customizations in one batch request. Default 1000. */
    VIDATA_MAX_BATCH_SIZE: positiveInt('VIDATA_MAX_BATCH_SIZE').default(1000),
    /**
     * Vidatas a project may create per minute (a batch counts each row); further creates get 429.
     * Default 600. It protects the render queue from one runaway client.
     */
    VIDATA_RATE_LIMIT_PER_MINUTE: positiveInt('VIDATA_RATE_LIMIT_PER_MINUTE').default(600),
    /** pino log level: fatal, error, warn, info, debug, trace or silent. Default info. */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  // Geocoder and map tile settings, declared and documented beside the maps module.
  .extend(mapSettingsSchema.shape);

export interface ServerConfig {
  port: number;
  host: string;
  /** Absolute path of the data folder. */
  dataDir: string;
  /** PostgreSQL connection string; undefined means SQLite in the data folder. */
  databaseUrl: string | undefined;
  /** Public address without a trailing slash; undefined when links follow each request's Host. */
  baseUrl: string | undefined;
  renderConcurrency: number;
  /** Absolute path of the segment cache's folder. */
  cacheDir: string;
  cacheMaxBytes: number;
  maxAttempts: number;
  maxUploadBytes: number;
  maxImagePixels: number;
  maxBodyBytes: number;
  maxBatchSize: number;
  rateLimitPerMinute: number;
  logLevel: string;
}

export interface Config {
  ffmpeg: FfmpegTools;
  server: ServerConfig;
  maps: MapSettings;
}

/** Reads and validates the settings from `env`; throws VALIDATION_FAILED naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const list = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new VidataError('VALIDATION_FAILED', `Invalid settings: ${list}`, {
      field: String(parsed.error.issues[0]?.path[0]),
    });
  }
  const settings = parsed.data;
  // z.object drops the keys it does not declare, which leaves the maps settings alone.
  const maps = mapSettingsSchema.parse(settings);
  checkMapSettings(maps);
  return {
    maps,
    ffmpeg: {
      ffmpeg: settings.FFMPEG_PATH ?? bundledBinary('@ffmpeg-installer/ffmpeg'),
      ffprobe: settings.FFPROBE_PATH ?? bundledBinary('@ffprobe-installer/ffprobe'),
    },
    server: {
      port: settings.PORT,
      host: settings.HOST,
      dataDir: path.resolve(settings.VIDATA_DATA_DIR),
      databaseUrl: settings.VIDATA_DATABASE_URL,
      baseUrl: settings.VIDATA_BASE_URL?.replace(/\/+$/, ''),
      renderConcurrency: settings.VIDATA_RENDER_CONCURRENCY ?? Math.max(1, os.availableParallelism()),
      cacheDir: path.resolve(
        settings.VIDATA_CACHE_DIR ?? path.join(settings.VIDATA_DATA_DIR, 'cache', 'segments'),
      ),
      cacheMaxBytes: settings.VIDATA_CACHE_MAX_BYTES,
      maxAttempts: settings.VIDATA_MAX_ATTEMPTS,
      maxUploadBytes: settings.VIDATA_MAX_UPLOAD_BYTES,
      maxImagePixels: settings.VIDATA_MAX_IMAGE_PIXELS,
      maxBodyBytes: settings.VIDATA_MAX_BODY_BYTES,
      maxBatchSize: settings.VIDATA_MAX_BATCH_SIZE,
      rateLimitPerMinute: settings.VIDATA_RATE_LIMIT_PER_MINUTE,
      logLevel: settings.LOG_LEVEL,
    },
  };
}

function bundledBinary(packageName: string): string {
  try {
    return (require(packageName) as { path: string }).path;
  } catch (cause) {
    throw new VidataError(
      'FFMPEG_NOT_FOUND',
      `The npm package ${packageName} is not installed; run npm ci.`,
      { cause },
    );
  }
}
