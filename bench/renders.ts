/**
 * The render part of the bench: renders a template several times through the engine, as the
 * service's render job calls it (map provider with the template's fonts, a work folder per job, the
 * segment cache), and measures each way of rendering in the same run.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { SegmentCache } from '../src/engine/cache/store.ts';
import { render } from '../src/engine/render.ts';
import type { RenderRequest, RenderResult } from '../src/engine/types.ts';
import { createMapProvider, templateMapFonts } from '../src/maps/index.ts';
import type { Template } from '../src/template/load.ts';
import { validateValues } from '../src/template/values.ts';
import { cpuSeconds, median, PeakMemory, percentile } from './measure.ts';

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
  /** Peak resident bytes of the process tree: one render at a time, and `concurrency` at once. */
  peakOne: number;
  peakLoaded: number;
  /** Frames encoded per Vidata with a warm cache, and the video's frames. */
  encodedFrames: number;
  frameCount: number;
}

export interface RenderBench {
  template: Template;
  /** The values of Vidata number `i`; every call gives distinct values. */
  values(i: number): Record<string, string>;
  runs: number;
  root: string;
}

export async function benchRenders(bench: RenderBench): Promise<RenderFigures> {
  const config = loadConfig();
  const maps = createMapProvider(config.maps, { cacheDir: path.join(bench.root, 'maps') });
  const { template } = bench;
  let serial = 0;
  const renderOne = async (
    extra: Partial<RenderRequest>,
  ): Promise<{ seconds: number; result: RenderResult }> => {
    const n = serial++;
    const values = await validateValues(template, bench.values(n), {
      allowLocalFiles: false,
      requireEmail: false,
    });
    const workDir = await mkdtemp(path.join(bench.root, 'job-'));
    const started = performance.now();
    try {
      const result = await render({
        template,
        values,
        output: { video: path.join(workDir, 'video.mp4'), cover: path.join(workDir, 'cover.jpg') },
        ffmpeg: config.ffmpeg,
        maps: maps.withFonts(templateMapFonts(template)),
        workDir,
        ...extra,
      });
      return { seconds: (performance.now() - started) / 1000, result };
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

  // One render first, so fonts, maps and the files read are loaded as in a running worker.
  await renderOne({ cache: await cacheIn('warm-up') });

  const fullPass: number[] = [];
  for (let i = 0; i < bench.runs; i++) fullPass.push((await renderOne({ singlePass: true })).seconds);

  const cold: number[] = [];
  let cache = await cacheIn('cache');
  for (let i = 0; i < bench.runs; i++) {
    cache = await cacheIn('cache');
    cold.push((await renderOne({ cache })).seconds);
  }

  const warm: number[] = [];
  const join: number[] = [];
  let encodedFrames = 0;
  let frameCount = 0;
  const memoryOne = new PeakMemory();
  const cpuBefore = cpuSeconds();
  for (let i = 0; i < bench.runs; i++) {
    const { seconds, result } = await renderOne({ cache });
    warm.push(seconds);
    join.push((result.timings.join ?? 0) / 1000);
    encodedFrames = result.cache?.encodedFrames ?? 0;
    frameCount = result.frameCount;
  }
  const warmCpu = (cpuSeconds() - cpuBefore) / bench.runs;
  const peakOne = memoryOne.stop();

  // Full load: as many renders at once as the service runs by default (one per core).
  const concurrency = Math.max(1, availableParallelism());
  const total = Math.max(concurrency * 2, bench.runs);
  const memoryLoaded = new PeakMemory();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        await renderOne({ cache });
      }
    }),
  );
  const perHour = (total / ((performance.now() - started) / 1000)) * 3600;
  const peakLoaded = memoryLoaded.stop();

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
    encodedFrames,
    frameCount,
  };
}

export function renderTable(rows: readonly RenderFigures[]): string {
  const s = (x: number) => x.toFixed(2);
  const mb = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MB`;
  const lines = [
    '| template | full single pass, median | cold cache, median / p95 | warm cache, median / p95 | warm ÷ full pass | CPU s per Vidata (warm) | Vidatas per hour at full load | peak RSS, 1 render / full load | floor: join alone | frames encoded (warm) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.template} | ${s(median(r.fullPass))} s | ${s(median(r.cold))} / ${s(percentile(r.cold, 95))} s | ${s(median(r.warm))} / ${s(percentile(r.warm, 95))} s | ${(median(r.warm) / median(r.fullPass)).toFixed(3)} | ${s(r.warmCpu)} | ${Math.round(r.perHour)} (${r.concurrency} at once) | ${mb(r.peakOne)} / ${mb(r.peakLoaded)} | ${s(median(r.join))} s | ${r.encodedFrames} of ${r.frameCount} |`,
    );
  }
  return lines.join('\n');
}
