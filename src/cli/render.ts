/**
 * `vidata render <templateDir> --set NAME=VALUE ... --out video.mp4 [--cover cover.jpg]`: renders one
 * personalized video on this machine with the same validation and engine as the API, and prints the
 * paths it wrote. Errors reach main.ts, which prints `error CODE: message` and exits with status 1.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config.ts';
import { SegmentCache } from '../engine/cache/store.ts';
import { cancelledError } from '../engine/ffmpeg.ts';
import { render } from '../engine/render.ts';
import type { RenderEvent } from '../engine/types.ts';
import { VidataError, VidataValidationError } from '../errors.ts';
import { checkAddresses, createMapProvider, templateMapFonts } from '../maps/index.ts';
import { loadTemplate } from '../template/load.ts';
import { validateValues } from '../template/values.ts';

interface RenderOptions {
  set: string[];
  out: string;
  cover?: string;
  workDir?: string;
  threads: number;
  progress: boolean;
  cache: boolean;
}

export function registerRenderCommand(program: Command): void {
  program
    .command('render')
    .description('Render a template with the given values to an MP4 file and a cover JPEG.')
    .argument('<templateDir>', 'folder that contains template.json')
    .option(
      '--set <NAME=VALUE>',
      'value of a variable; repeat for each variable. IMG_ and VID_ variables take a choice key or a local file path',
      collect,
      [],
    )
    .requiredOption('--out <file.mp4>', 'path of the MP4 file to write')
    .option('--cover <file.jpg>', 'path of the cover JPEG to write (default: the video path with .jpg)')
    .option('--work-dir <dir>', 'folder for temporary files (default: the system temporary folder)')
    .addOption(
      new Option(
        '--threads <n>',
        'threads per ffmpeg process; 0 divides the cores among the processes running at once (--no-cache: ffmpeg chooses)',
      )
        .default(0)
        .argParser(parseThreads),
    )
    .option('--no-progress', 'do not draw the progress bar on stderr')
    .option(
      '--no-cache',
      'encode the whole video in one ffmpeg pass, without the segment cache (VIDATA_CACHE_DIR), to compare or debug',
    )
    .action(async (templateDir: string, options: RenderOptions) => {
      await runRender(templateDir, options);
    });
}

async function runRender(templateDir: string, options: RenderOptions): Promise<void> {
  const template = await loadTemplate(templateDir);
  const config = loadConfig();
  const assignments = parseAssignments(options.set);
  const values = await validateValues(template, assignments, {
    allowLocalFiles: true,
    requireEmail: false,
  });
  // Maps follow the VIDATA_GEOCODER and VIDATA_TILES_* settings; by default they are drawn offline
  // (the project's own table of places and locator map), so the command needs no network.
  const maps = createMapProvider(config.maps, {
    cacheDir: path.join(config.server.dataDir, 'cache', 'maps'),
  });
  const addressProblems = await checkAddresses(template, values, new Set(Object.keys(assignments)), maps);
  if (addressProblems.length > 0) throw new VidataValidationError(addressProblems);
  const video = path.resolve(options.out);
  const cover = path.resolve(options.cover ?? replaceExtension(video, '.jpg'));
  await mkdir(path.dirname(video), { recursive: true });
  await mkdir(path.dirname(cover), { recursive: true });

  // Ctrl-C cancels the render, so its temporary files are removed before the process exits.
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  const bar = options.progress ? progressBar() : undefined;
  try {
    const result = await render({
      template,
      values,
      output: { video, cover },
      ffmpeg: config.ffmpeg,
      maps: maps.withFonts(templateMapFonts(template)),
      workDir: options.workDir === undefined ? undefined : path.resolve(options.workDir),
      threads: options.threads,
      ...(options.cache
        ? { cache: new SegmentCache({ dir: config.server.cacheDir, maxBytes: config.server.cacheMaxBytes }) }
        : { singlePass: true }),
      signal: controller.signal,
      onEvent: bar?.onEvent,
    });
    bar?.stop();
    process.stdout.write(`${result.video}\n${result.cover}\n`);
  } catch (error) {
    // Ctrl-C also reaches ffmpeg, which may exit with an error before the abort kills it.
    if (controller.signal.aborted) throw cancelledError();
    throw error;
  } finally {
    bar?.stop();
    process.removeListener('SIGINT', onInterrupt);
  }
}

/** Turns `NAME=VALUE` arguments into a dictionary; the value may itself contain "=". */
export function parseAssignments(assignments: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const assignment of assignments) {
    const at = assignment.indexOf('=');
    if (at <= 0) {
      throw new VidataError('VALIDATION_FAILED', `--set "${assignment}" must have the form NAME=VALUE.`, {
        field: 'set',
      });
    }
    const name = assignment.slice(0, at);
    if (Object.hasOwn(values, name)) {
      throw new VidataError('VALIDATION_FAILED', `--set gives the variable "${name}" twice; give it once.`, {
        field: `variables.${name}`,
      });
    }
    values[name] = assignment.slice(at + 1);
  }
  return values;
}

function progressBar(): { onEvent: (event: RenderEvent) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    { format: 'rendering [{bar}] {percentage}% | {stage}', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    onEvent(event) {
      if (!started) {
        bar.start(100, 0, { stage: 'resolve' });
        started = true;
      }
      if (event.type === 'stage-start') bar.update({ stage: event.stage });
      else if (event.type === 'progress') bar.update(event.progress);
      else if (event.type === 'warning') process.stderr.write(`\nwarning ${event.code}: ${event.message}\n`);
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseThreads(value: string): number {
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 0) {
    throw new VidataError('VALIDATION_FAILED', `--threads must be a whole number >= 0, not "${value}".`, {
      field: 'threads',
    });
  }
  return threads;
}

function replaceExtension(file: string, extension: string): string {
  return path.join(path.dirname(file), path.basename(file, path.extname(file)) + extension);
}
