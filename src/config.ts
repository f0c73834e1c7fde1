/**
 * The one module that reads the environment. Every setting is declared here with its default and
 * validated once at start-up; other modules receive the typed `Config`, never `process.env`.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { VidataError } from './errors.ts';
import type { FfmpegTools } from './engine/types.ts';

const require = createRequire(import.meta.url);

const envSchema = z.object({
  /** Path of the ffmpeg binary. Default: the static build shipped by the npm package @ffmpeg-installer/ffmpeg. */
  FFMPEG_PATH: z.string().min(1).optional(),
  /** Path of the ffprobe binary. Default: the static build shipped by @ffprobe-installer/ffprobe. */
  FFPROBE_PATH: z.string().min(1).optional(),
});

export interface Config {
  ffmpeg: FfmpegTools;
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
  return {
    ffmpeg: {
      ffmpeg: settings.FFMPEG_PATH ?? bundledBinary('@ffmpeg-installer/ffmpeg'),
      ffprobe: settings.FFPROBE_PATH ?? bundledBinary('@ffprobe-installer/ffprobe'),
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
