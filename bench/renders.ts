/**
 * The render part of the bench: renders a template several times through the engine, as the
 * service's render job calls it (in render worker processes, map provider with the template's fonts
 * and addresses geocoded beforehand, a work folder per job, the segment cache), and measures each
 * way of rendering in the same run.
 */
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { SegmentCache } from '../src/engine/cache/store.ts';
import type { RenderRequest, RenderResult } from '../src/engine/types.ts';
import { createMapProvider } from '../src/maps/index.ts';
import { renderMapHints } from '../src/service/render-job.ts';
import { RenderWorkerPool } from '../src/worker/pool.ts';
import type { Template } from '../src/template/load.ts';
import { validateValues } from '../src/template/values.ts';
import { cpuSeconds, median, PeakMemory, percentile } from './measure.ts';
import { compareFrames, countFrames, decodeErrors, streamSeconds } from './quality.ts';

type Peak = ReturnType<PeakMemory['stop']>;

export interface RenderFigures {
  template: string;
  fullPass: number[];
  cold: number[];
  warm: number[];
  /** CPU seconds per Vidata, cache warm, one render at a time. */
  warmCpu: number;
  /** Seconds of the join stage (stream copy and mux) in the warm renders. */
  join: number[];
  /** Vidatas per hour with `concurrency` renders at once, cache warm. */
  perHour: number;
  concurrency: number;
  /** Peak resident bytes of one render worker (whole tree, the worker, its ffmpeg children): one render at a time, and `concurrency` at once. */
  peakOne: Peak;
  peakLoaded: Peak;
  /** The same during the cold renders (the first Vidata of a template version) and the full passes. */
  peakCold: Peak;
  peakFull: Peak;
  /** Frames encoded per Vidata with a warm cache, and the video's frames. */
  encodedFrames: number;
  frameCount: number;
  quality: QualityFigures;
  /** The full-load runs: the service's default first. */
  schedules: Schedule[];
}

export interface RenderBench {
  template: Template;
  /** The values of Vidata number `i`; every call gives distinct values. */
  values(i: number): Record<string, string>;
  runs: number;
  root: string;
  /** Also measures other ways of sharing the cores at full load. */
  schedules?: boolean;
}

export async function benchRenders(bench: RenderBench): Promise<RenderFigures> {
  const config = loadConfig();
  const maps = createMapProvider(config.maps, { cacheDir: path.join(bench.root, 'maps') });
  // One worker per render at once, as `vidata serve` runs them by default.
  const workers = new RenderWorkerPool({
    size: Math.max(1, availableParallelism()),
    settings: { maps: config.maps, mapsCacheDir: path.join(bench.root, 'maps') },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
  });
  await workers.start();
  try {
    return await benchWith(bench, workers, config, maps);
  } finally {
    await workers.close();
  }
}

async function benchWith(
  bench: RenderBench,
  workers: RenderWorkerPool,
  config: ReturnType<typeof loadConfig>,
  maps: ReturnType<typeof createMapProvider>,
): Promise<RenderFigures> {
  const { template } = bench;
  let serial = 0;
  const renderOne: RenderOne = async (extra, keep, again = false) => {
    const n = again ? serial - 1 : serial++;
    const values = await validateValues(template, bench.values(n), {
      allowLocalFiles: false,
      requireEmail: false,
    });
    const workDir = await mkdtemp(path.join(bench.root, 'job-'));
    const started = performance.now();
    try {
      const mapHints = await renderMapHints(template, values, maps);
      const result = await workers.render(
        {
          template,
          values,
          output: { video: path.join(workDir, 'video.mp4'), cover: path.join(workDir, 'cover.jpg') },
          ffmpeg: config.ffmpeg,
          maps: maps.withFonts(mapHints.fonts, mapHints.locations),
          workDir,
          ...extra,
        },
        { maps: mapHints },
      );
      const seconds = (performance.now() - started) / 1000;
      if (keep !== undefined) await rename(result.video, keep);
      return { seconds, result };
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  };
  const cacheIn = async (name: string) => {
    const dir = path.join(bench.root, name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    return new SegmentCache({ dir, maxBytes: 2 * 1024 ** 3 });
  };

  const workerTrees = () => workers.pids();

  // One render first, so fonts, maps and the files read are loaded as in a running worker.
  await renderOne({ cache: await cacheIn('warm-up') });

  const fullPass: number[] = [];
  const memoryFull = new PeakMemory(20, workerTrees);
  for (let i = 0; i < bench.runs; i++) fullPass.push((await renderOne({ singlePass: true })).seconds);
  const peakFull = memoryFull.stop();

  const cold: number[] = [];
  let cache = await cacheIn('cache');
  // Cold renders encode the cached spans too, with the full search.
  const memoryCold = new PeakMemory(20, workerTrees);
  for (let i = 0; i < bench.runs; i++) {
    cache = await cacheIn('cache');
    cold.push((await renderOne({ cache })).seconds);
  }
  const peakCold = memoryCold.stop();

  const warm: number[] = [];
  const join: number[] = [];
  let encodedFrames = 0;
  let frameCount = 0;
  const cpuOfAll = () => cpuSeconds([process.pid, ...workers.pids()]);
  const memoryOne = new PeakMemory(20, workerTrees);
  const cpuBefore = cpuOfAll();
  for (let i = 0; i < bench.runs; i++) {
    const { seconds, result } = await renderOne({ cache });
    warm.push(seconds);
    join.push((result.timings.join ?? 0) / 1000);
    encodedFrames = result.cache?.encodedFrames ?? 0;
    frameCount = result.frameCount;
  }
  const warmCpu = (cpuOfAll() - cpuBefore) / bench.runs;
  const peakOne = memoryOne.stop();

  const quality = await checkQuality(renderOne, cache, bench.root);

  // Full load: as many renders at once as the service runs by default (one per core), with the
  // engine's thread count, which divides the cores among a render's ffmpeg processes at once. Two
  // other ways to share the cores follow for comparison: as many threads as cores in every ffmpeg
  // process, and one render at a time.
  const cores = Math.max(1, availableParallelism());
  const total = Math.max(cores * 2, bench.runs);
  const loaded = async (concurrency: number, threads: number): Promise<Schedule> => {
    const memory = new PeakMemory(20, workerTrees);
    const latency: number[] = [];
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next++;
          latency.push((await renderOne({ cache, threads })).seconds);
        }
      }),
    );
    const perHour = (total / ((performance.now() - started) / 1000)) * 3600;
    return { concurrency, threads, perHour, latency: median(latency), peak: memory.stop() };
  };
  const schedules = [await loaded(cores, 0)];
  if (bench.schedules) schedules.push(await loaded(cores, cores), await loaded(1, 0));
  const { perHour, concurrency, peak: peakLoaded } = schedules[0] as Schedule;

  return {
    template: template.name,
    fullPass,
    cold,
    warm,
    warmCpu,
    join,
    perHour,
    concurrency,
    peakOne,
    peakLoaded,
    peakCold,
    peakFull,
    encodedFrames,
    frameCount,
    quality,
    schedules,
  };
}

export interface Schedule {
  /** Renders at once. */
  concurrency: number;
  /** Threads per ffmpeg process; 0 lets the engine divide the cores among a render's processes. */
  threads: number;
  perHour: number;
  /** Median seconds per Vidata. */
  latency: number;
  peak: Peak;
}

function threadsLabel(threads: number): string {
  return threads === 0 ? 'cores ÷ processes at once' : String(threads);
}

export function scheduleTable(rows: readonly RenderFigures[]): string {
  const lines = [
    '| template | renders at once | ffmpeg threads | Vidatas per hour | median seconds per Vidata | peak resident memory per worker |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    for (const x of r.schedules) {
      lines.push(
        `| ${r.template} | ${x.concurrency} | ${threadsLabel(x.threads)} | ${Math.round(x.perHour)} | ${x.latency.toFixed(2)} | ${Math.round(x.peak.total / 1024 ** 2)} MB |`,
      );
    }
  }
  return lines.join('\n');
}

export interface QualityFigures {
  /** Frames compared: both sides of every join, and one frame a second. */
  compared: number;
  minPsnr: number;
  minSsim: number;
  /** Frames whose PSNR is at most 40 dB and SSIM at most 0.98. */
  below: number;
  decodeErrors: string;
  frames: { cached: number; full: number };
  videoSeconds: { cached: number; full: number };
  audioSeconds: { cached: number; full: number };
}

type RenderOne = (
  extra: Partial<RenderRequest>,
  /** Moves the video there instead of deleting it. */
  keep?: string,
  /** Renders the values of the previous Vidata again. */
  again?: boolean,
) => Promise<{ seconds: number; result: RenderResult }>;

/** Renders one Vidata both ways with the same values and compares the outputs. */
async function checkQuality(
  renderOne: RenderOne,
  cache: SegmentCache,
  root: string,
): Promise<QualityFigures> {
  const fullFile = path.join(root, 'quality-full.mp4');
  const cachedFile = path.join(root, 'quality-cached.mp4');
  // The same Vidata number twice gives the same values.
  await renderOne({ singlePass: true }, fullFile);
  const cached = await renderOne({ cache }, cachedFile, true);
  const fps = cached.result.fps;
  const joins = (cached.result.cache?.chunks ?? []).map((c) => c.startFrame).filter((f) => f > 0);
  const everySecond = Array.from({ length: Math.floor(cached.result.frameCount / fps) }, (_, i) => i * fps);
  const frames = [...new Set([...joins.flatMap((f) => [f - 1, f]), ...everySecond])];
  const scores = await compareFrames(fullFile, cachedFile, frames);
  return {
    compared: scores.length,
    minPsnr: Math.min(...scores.map((s) => s.psnr)),
    minSsim: Math.min(...scores.map((s) => s.ssim)),
    below: scores.filter((s) => !(s.psnr > 40 || s.ssim > 0.98)).length,
    decodeErrors: await decodeErrors(cachedFile),
    frames: { cached: await countFrames(cachedFile), full: await countFrames(fullFile) },
    videoSeconds: {
      cached: await streamSeconds(cachedFile, 'video'),
      full: await streamSeconds(fullFile, 'video'),
    },
    audioSeconds: {
      cached: await streamSeconds(cachedFile, 'audio'),
      full: await streamSeconds(fullFile, 'audio'),
    },
  };
}

export function qualityTable(rows: readonly RenderFigures[]): string {
  const lines = [
    '| template | frames compared (joins and 1 a second) | lowest PSNR | lowest SSIM | frames at or below both 40 dB and 0.98 | decode errors | frames cached / full | video s cached / full | audio s cached / full |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { template, quality: q } of rows) {
    const errors = q.decodeErrors === '' ? 'none' : (q.decodeErrors.split('\n')[0] ?? '');
    lines.push(
      `| ${template} | ${q.compared} | ${q.minPsnr.toFixed(1)} dB | ${q.minSsim.toFixed(4)} | ${q.below} | ${errors} | ${q.frames.cached} / ${q.frames.full} | ${q.videoSeconds.cached} / ${q.videoSeconds.full} | ${q.audioSeconds.cached} / ${q.audioSeconds.full} |`,
    );
  }
  return lines.join('\n');
}

export function renderTable(rows: readonly RenderFigures[]): string {
  const s = (x: number) => `${x.toFixed(2)} s`;
  const mb = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MB`;
  const peak = (p: Peak) =>
    `${mb(p.total)} (worker ${mb(p.self)}, its ffmpeg ${mb(p.children)}, largest ffmpeg ${mb(p.largestChild)})`;
  const metrics: [string, (r: RenderFigures) => string][] = [
    ['full single pass, median', (r) => s(median(r.fullPass))],
    ['cache cold, median / p95', (r) => `${s(median(r.cold))} / ${s(percentile(r.cold, 95))}`],
    ['cache warm, median / p95', (r) => `${s(median(r.warm))} / ${s(percentile(r.warm, 95))}`],
    ['warm median ÷ full pass median', (r) => (median(r.warm) / median(r.fullPass)).toFixed(3)],
    ['CPU seconds per Vidata, warm', (r) => r.warmCpu.toFixed(2)],
    [
      'Vidatas per hour at full load, warm',
      (r) => `${Math.round(r.perHour)} (${r.concurrency} renders at once)`,
    ],
    ['peak resident memory per worker, warm, 1 render at a time', (r) => peak(r.peakOne)],
    ['peak resident memory per worker, warm, full load', (r) => peak(r.peakLoaded)],
    ['peak resident memory per worker, cold', (r) => peak(r.peakCold)],
    ['peak resident memory per worker, full single pass (--no-cache)', (r) => peak(r.peakFull)],
    ['floor: stream-copy join and mux alone, median', (r) => s(median(r.join))],
    ['frames encoded per Vidata, warm', (r) => `${r.encodedFrames} of ${r.frameCount}`],
  ];
  return [
    `| | ${rows.map((r) => r.template).join(' | ')} |`,
    `| --- |${rows.map(() => ' --- |').join('')}`,
    ...metrics.map(([name, value]) => `| ${name} | ${rows.map(value).join(' | ')} |`),
  ].join('\n');
}
