/**
 * The render worker pool: long-lived child processes (child.ts) that run the renders, so the
 * server's process keeps only the API and the queue, and each render's memory is that of a small
 * process and its ffmpeg children. `render` has the RenderFunction signature, so the queue's
 * render job hands a job to a free worker as it would call the engine.
 *
 * A worker that exits during a render (a crash, the kernel's OOM killer, SIGKILL) fails that render
 * with RENDER_FAILED, which the queue retries like any failed attempt, and a new worker replaces it.
 * Cancelling a render aborts it in the worker, which stops its ffmpeg processes; a worker that does
 * not stop in time is killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { VidataError } from '../errors.ts';
import type { RenderRequest, RenderResult } from '../engine/types.ts';
import { SegmentCache } from '../engine/cache/store.ts';
import type { RenderFunction, RenderHints } from '../service/render-job.ts';
import {
  deserializeError,
  serializeError,
  workerMessageSchema,
  type ServerMessage,
  type WorkerMessage,
  type WorkerRenderRequest,
  type WorkerSettings,
} from './protocol.ts';

const CHILD_MODULE = fileURLToPath(new URL('./child.ts', import.meta.url));

export interface RenderWorkerPoolOptions {
  /** Number of worker processes, which is how many renders run at once. */
  size: number;
  settings: WorkerSettings;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** How long a cancelled render may take to stop before its worker is killed. Default 10 s. */
  cancelGraceMs?: number;
  /** How long a worker may take to start and to exit when the pool closes. Default 60 s and 10 s. */
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

interface Job {
  id: number;
  request: RenderRequest;
  message: WorkerRenderRequest;
  resolve: (result: RenderResult) => void;
  reject: (error: unknown) => void;
  /** Set when the job was cancelled while a worker ran it: the worker is killed if it does not stop. */
  killTimer?: NodeJS.Timeout;
}

/** One worker process and the job it runs. */
class Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  job: Job | undefined;
  isReady = false;
  hasExited = false;

  constructor(child: ChildProcess, startTimeoutMs: number) {
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new VidataError(
            'RENDER_FAILED',
            `Timed out: the render worker did not start within ${startTimeoutMs} ms.`,
          ),
        );
        child.kill('SIGKILL');
      }, startTimeoutMs);
      child.once('message', () => {
        clearTimeout(timer);
        this.isReady = true;
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new VidataError(
            'RENDER_FAILED',
            `The render worker exited while starting (${describeExit(code, signal)}); the server log has its output.`,
          ),
        );
      });
    });
    // Callers look at isReady and the exit event; this only keeps a start failure from being unhandled.
    this.ready.catch(() => undefined);
  }
}

export class RenderWorkerPool {
  readonly #options: Required<RenderWorkerPoolOptions>;
  readonly #workers = new Set<Worker>();
  /** Jobs waiting for a free worker, first come first served. */
  readonly #waiting: Job[] = [];
  #nextJobId = 1;
  #closed = false;

  constructor(options: RenderWorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`The render worker count must be a whole number >= 1, not ${options.size}.`);
    }
    this.#options = { cancelGraceMs: 10_000, startTimeoutMs: 60_000, stopTimeoutMs: 10_000, ...options };
  }

  /** Starts every worker and waits until they are ready, so the first renders do not wait for them. */
  async start(): Promise<void> {
    while (this.#workers.size < this.#options.size) this.#spawn();
    await Promise.all([...this.#workers].map((worker) => worker.ready));
  }

  /** Process ids of the running workers (the bench samples their memory and CPU time). */
  pids(): number[] {
    return [...this.#workers].flatMap((worker) =>
      worker.child.pid === undefined || worker.hasExited ? [] : [worker.child.pid],
    );
  }

  /** Runs a render in a free worker; takes the same request as the engine's render. */
  readonly render: RenderFunction = (request, hints) => {
    if (this.#closed) {
      return Promise.reject(new VidataError('RENDER_FAILED', 'The render worker pool is closed.'));
    }
    if (request.signal?.aborted === true) {
      return Promise.reject(new VidataError('RENDER_CANCELLED', 'The render was cancelled.'));
    }
    if (request.cache !== undefined && !(request.cache instanceof SegmentCache)) {
      return Promise.reject(
        new TypeError('A render worker can only use a SegmentCache, which it opens from its folder.'),
      );
    }
    const message = toWorkerRequest(request, hints);
    return new Promise<RenderResult>((resolve, reject) => {
      const job: Job = { id: this.#nextJobId++, request, message, resolve, reject };
      request.signal?.addEventListener('abort', () => this.#cancel(job), { once: true });
      this.#waiting.push(job);
      this.#pump();
    });
  };

  /** Stops the workers: they abort what they run (their ffmpeg processes stop) and exit. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#waiting.splice(0)) {
      job.reject(
        new VidataError('RENDER_FAILED', 'The render worker pool closed before the render started.'),
      );
    }
    const workers = [...this.#workers];
    for (const worker of workers) {
      if (!worker.hasExited && worker.child.connected) worker.child.disconnect();
    }
    await Promise.all(
      workers.map(async (worker) => {
        const timer = setTimeout(() => worker.child.kill('SIGKILL'), this.#options.stopTimeoutMs);
        await worker.exited;
        clearTimeout(timer);
      }),
    );
  }

  #spawn(): Worker {
    const child = fork(CHILD_MODULE, [], {
      execArgv: [
        // The worker runs TypeScript through tsx like the server. The loader is given by absolute
        // URL, because a bare "tsx" would be resolved from the working folder, not this project.
        '--import',
        import.meta.resolve('tsx'),
        // V8 lets each semi-space of the young generation grow to 16 MB on 64-bit systems. At
        // 2 MB, the worker's peak in a welcome render fell by about 25 MB, and its CPU time did
        // not change measurably (2 cores).
        '--max-semi-space-size=2',
      ],
      serialization: 'advanced',
      // glibc gives each thread that allocates (libuv, libvips, Skia) an arena of its own, up to
      // 8 per core, and freed memory stays in them. Two arenas cut the worker's peak by about
      // 40 MB in a welcome render (measured on 2 cores). An operator's own setting wins.
      env: { MALLOC_ARENA_MAX: '2', ...process.env },
      // A process group of its own, so that the ffmpeg processes of a worker that was killed can
      // be stopped with it (see #exited). The worker exits by itself when the server goes away.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker = new Worker(child, this.#options.startTimeoutMs);
    this.#workers.add(worker);
    child.on('message', (message: unknown) => this.#receive(worker, message));
    child.once('exit', (code, signal) => this.#exited(worker, code, signal));
    this.#send(worker, { type: 'init', settings: this.#options.settings });
    worker.ready.then(
      () => this.#pump(),
      (error: unknown) =>
        this.#options.logger.error({ err: error, pid: child.pid }, 'render worker failed to start'),
    );
    return worker;
  }

  /** Gives waiting jobs to free workers, and starts workers (replacements included) up to the size. */
  #pump(): void {
    if (this.#closed) return;
    while (this.#waiting.length > 0) {
      const worker = [...this.#workers].find((w) => w.isReady && !w.hasExited && w.job === undefined);
      if (worker === undefined) break;
      const job = this.#waiting.shift() as Job;
      worker.job = job;
      this.#send(worker, { type: 'render', jobId: job.id, request: job.message });
    }
    let starting = [...this.#workers].filter((w) => !w.isReady).length;
    while (this.#waiting.length > starting && this.#workers.size < this.#options.size) {
      this.#spawn();
      starting++;
    }
  }

  #cancel(job: Job): void {
    const index = this.#waiting.indexOf(job);
    if (index >= 0) {
      this.#waiting.splice(index, 1);
      job.reject(new VidataError('RENDER_CANCELLED', 'The render was cancelled.'));
      return;
    }
    const worker = [...this.#workers].find((w) => w.job === job);
    if (worker === undefined) return;
    this.#send(worker, { type: 'cancel', jobId: job.id });
    job.killTimer = setTimeout(() => {
      this.#options.logger.warn(
        { pid: worker.child.pid, graceMs: this.#options.cancelGraceMs },
        'cancelled render did not stop in time, render worker killed',
      );
      worker.child.kill('SIGKILL');
    }, this.#options.cancelGraceMs);
  }

  #receive(worker: Worker, raw: unknown): void {
    const parsed = workerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.#options.logger.error(
        { pid: worker.child.pid, problems: parsed.error.issues },
        'invalid message from a render worker, worker killed',
      );
      worker.child.kill('SIGKILL');
      return;
    }
    const message: WorkerMessage = parsed.data;
    if (message.type === 'ready') return;
    if (message.type === 'log') {
      this.#options.logger.warn({ ...message.details, pid: worker.child.pid }, message.message);
      return;
    }
    const job = worker.job;
    if (job === undefined || job.id !== message.jobId) return;
    switch (message.type) {
      case 'event':
        job.request.onEvent?.(message.event);
        break;
      case 'media':
        void this.#resolveMedia(worker, job, message);
        break;
      case 'done':
        this.#finish(worker, job);
        job.resolve(message.result);
        break;
      case 'failed':
        this.#finish(worker, job);
        job.reject(deserializeError(message.error));
        break;
    }
  }

  async #resolveMedia(
    worker: Worker,
    job: Job,
    call: { callId: number; filename: string; kind: 'image' | 'video' },
  ): Promise<void> {
    try {
      const media = job.request.media;
      if (media === undefined)
        throw new VidataError('RENDER_FAILED', 'The render request has no media resolver.');
      const path = await media.resolveUpload(call.filename, call.kind);
      this.#send(worker, { type: 'media-path', callId: call.callId, path });
    } catch (error) {
      this.#send(worker, { type: 'media-path', callId: call.callId, error: serializeError(error) });
    }
  }

  /** Frees the worker for the next job. */
  #finish(worker: Worker, job: Job): void {
    clearTimeout(job.killTimer);
    worker.job = undefined;
    this.#pump();
  }

  #exited(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    worker.hasExited = true;
    // A worker that was killed leaves its ffmpeg processes running; they share its process group.
    if (worker.child.pid !== undefined) killGroup(worker.child.pid);
    this.#workers.delete(worker);
    const job = worker.job;
    worker.job = undefined;
    if (job !== undefined) {
      clearTimeout(job.killTimer);
      if (job.request.signal?.aborted === true) {
        job.reject(new VidataError('RENDER_CANCELLED', 'The render was cancelled.'));
      } else {
        this.#options.logger.error(
          { pid: worker.child.pid, code, signal },
          'render worker exited during a render',
        );
        job.reject(
          new VidataError(
            'RENDER_FAILED',
            `The render worker process exited during the render (${describeExit(code, signal)}).`,
            { details: { exitCode: code, signal } },
          ),
        );
      }
    }
    if (this.#closed) return;
    if (!worker.isReady) {
      // A worker that cannot start would fail again at once, so the jobs waiting for it fail (the
      // queue retries them after its delay) rather than the pool restarting workers in a loop.
      worker.ready.catch((error: unknown) => {
        for (const waiting of this.#waiting.splice(0)) waiting.reject(error);
      });
      return;
    }
    this.#options.logger.info({ pid: worker.child.pid }, 'render worker replaced');
    this.#spawn();
    this.#pump();
  }

  #send(worker: Worker, message: ServerMessage): void {
    if (worker.hasExited || !worker.child.connected) return;
    worker.child.send(message, (error) => {
      // The worker exited between the check and the write; its exit event settles its job.
      if (error)
        this.#options.logger.warn({ err: error, pid: worker.child.pid }, 'message to a render worker failed');
    });
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    // ESRCH: no process of the group is left, which is the usual case.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal === null ? `exit code ${code}` : `signal ${signal}`;
}

/** Turns a RenderRequest into the message form; its objects cannot cross the process boundary. */
function toWorkerRequest(request: RenderRequest, hints: RenderHints | undefined): WorkerRenderRequest {
  const { template, values, output, ffmpeg, workDir, threads, singlePass, cache, maps, media } = request;
  return {
    template,
    values,
    output,
    ffmpeg,
    workDir,
    threads,
    singlePass,
    cache: cache instanceof SegmentCache ? { dir: cache.dir, maxBytes: cache.maxBytes } : undefined,
    maps:
      maps === undefined
        ? undefined
        : { fonts: hints?.maps?.fonts ?? [], locations: hints?.maps?.locations ?? new Map() },
    hasMedia: media !== undefined,
  };
}
