/**
 * Stage events, stage timings and overall progress of one render. Each stage owns a share of the
 * 0–100 scale, sized after where the time goes in a typical render (encoding dominates); a stage
 * reports the fraction of its own work done, and the reporter turns it into overall progress that
 * never goes down and ends at exactly 100.
 */
import type { RenderEvent, RenderStage } from './types.ts';

const STAGE_SHARE: Readonly<Record<RenderStage, number>> = {
  resolve: 3,
  plan: 1,
  raster: 6,
  encode: 75,
  join: 10,
  cover: 5,
};

const STAGE_ORDER: readonly RenderStage[] = ['resolve', 'plan', 'raster', 'encode', 'join', 'cover'];

/** Receives the fraction (0 to 1) of a stage's work done so far. */
export type ReportFraction = (fraction: number) => void;

export class ProgressReporter {
  readonly timings: Partial<Record<RenderStage, number>> = {};
  #sent = -1;
  readonly #onEvent: ((event: RenderEvent) => void) | undefined;

  constructor(onEvent: ((event: RenderEvent) => void) | undefined) {
    this.#onEvent = onEvent;
  }

  /** Runs one stage: sends its start and end events, records its time and its progress. */
  async stage<T>(stage: RenderStage, run: (report: ReportFraction) => Promise<T>): Promise<T> {
    const started = performance.now();
    const before = shareBefore(stage);
    const share = STAGE_SHARE[stage];
    this.#emit({ type: 'stage-start', stage });
    this.#progress(before);
    const result = await run((fraction) => this.#progress(before + share * clamp(fraction)));
    const ms = Math.round(performance.now() - started);
    this.timings[stage] = ms;
    this.#emit({ type: 'stage-end', stage, ms });
    this.#progress(before + share);
    return result;
  }

  warn(code: string, message: string): void {
    this.#emit({ type: 'warning', code, message });
  }

  #progress(value: number): void {
    const rounded = Math.min(100, Math.floor(value + 1e-9));
    if (rounded <= this.#sent) return;
    this.#sent = rounded;
    this.#emit({ type: 'progress', progress: rounded });
  }

  #emit(event: RenderEvent): void {
    this.#onEvent?.(event);
  }
}

function shareBefore(stage: RenderStage): number {
  let sum = 0;
  for (const s of STAGE_ORDER) {
    if (s === stage) break;
    sum += STAGE_SHARE[s];
  }
  return sum;
}

function clamp(fraction: number): number {
  return Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
}
