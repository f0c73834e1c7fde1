/**
 * The embedded queue: jobs are rows of the `jobs` table and run in this process, at most
 * `concurrency` at a time. A restart loses nothing: queued rows stay queued, and a row left
 * `running` by a crash is queued again (or failed once it has used every attempt).
 *
 * NOTE: crash recovery treats every `running` row as abandoned, which holds for one server process
 * per database. Several processes sharing a PostgreSQL database would need a lease with a heartbeat.
 */
import type { Logger } from 'pino';
import { VidataError, isVidataError } from '../../errors.ts';
import type { Db } from '../database/schema.ts';
import { insertRow, WriteBatch } from '../database/write-batch.ts';
import type { JobHandlers, JobQueue } from './types.ts';

export interface DatabaseQueueOptions {
  db: Db;
  concurrency: number;
  maxAttempts: number;
  logger: Logger;
  /** How often idle workers look for jobs that became ready (a retry delay ended). Default 1000 ms. */
  pollMs?: number;
  /** Delay before attempt n+1 is `retryDelayMs * 2^(n-1)`. Default 2000 ms. */
  retryDelayMs?: number;
}

const CANCELLED = 'cancelled';
const SHUTDOWN = 'shutdown';

interface RunningJob {
  controller: AbortController;
  done: Promise<void>;
}

export class DatabaseJobQueue implements JobQueue {
  private readonly options: Required<DatabaseQueueOptions>;
  private readonly running = new Map<string, RunningJob>();
  private handlers: JobHandlers | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private stopped = false;

  /** Jobs queued together share one commit (see WriteBatch). */
  private readonly inserts: WriteBatch<string>;

  constructor(options: DatabaseQueueOptions) {
    this.options = { pollMs: 1000, retryDelayMs: 2000, ...options };
    this.inserts = new WriteBatch(options.db, (db, vidataId) => this.insertJob(db, vidataId));
  }

  /** The jobs live in the service's database, so a Vidata and its job are stored together. */
  readonly transactional = {
    insertJob: (executor: Db, vidataId: string) => this.insertJob(executor, vidataId),
    jobsAdded: () => this.pump(),
  };

  private insertJob(executor: Db, vidataId: string): Promise<void> {
    const now = new Date().toISOString();
    return insertRow(executor, 'jobs', {
      vidata_id: vidataId,
      status: 'queued',
      attempts: 0,
      max_attempts: this.options.maxAttempts,
      run_at: now,
      last_error: null,
      created_at: now,
      updated_at: now,
    });
  }

  async enqueue(vidataId: string): Promise<void> {
    await this.inserts.add(vidataId);
    this.pump();
  }

  async start(handlers: JobHandlers): Promise<void> {
    this.handlers = handlers;
    this.stopped = false;
    await this.recover(handlers);
    this.timer = setInterval(() => this.pump(), this.options.pollMs);
    this.timer.unref();
    this.pump();
  }

  async cancel(vidataId: string): Promise<void> {
    await this.options.db.deleteFrom('jobs').where('vidata_id', '=', vidataId).execute();
    const job = this.running.get(vidataId);
    if (job) {
      job.controller.abort(CANCELLED);
      await job.done;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.pumping;
    const jobs = [...this.running.values()];
    for (const job of jobs) job.controller.abort(SHUTDOWN);
    await Promise.all(jobs.map((job) => job.done));
  }

  /** Queues again the jobs a crash left running; fails those that have used every attempt. */
  private async recover(handlers: JobHandlers): Promise<void> {
    const { db, logger } = this.options;
    const orphans = await db.selectFrom('jobs').selectAll().where('status', '=', 'running').execute();
    for (const job of orphans) {
      if (job.attempts < job.max_attempts) {
        await db
          .updateTable('jobs')
          .set({ status: 'queued', updated_at: new Date().toISOString() })
          .where('vidata_id', '=', job.vidata_id)
          .execute();
        logger.warn({ vidataId: job.vidata_id, attempts: job.attempts }, 'interrupted job queued again');
      } else {
        const error = new VidataError(
          'RENDER_FAILED',
          `The render was interrupted ${job.attempts} times (the server stopped while rendering).`,
        );
        await this.markFailed(job.vidata_id, error);
        await handlers.failed({ vidataId: job.vidata_id, attempts: job.attempts }, error);
        logger.error({ vidataId: job.vidata_id, attempts: job.attempts }, 'interrupted job failed');
      }
    }
  }

  /** Starts ready jobs while workers are free; calls made during a pass trigger one more pass. */
  private pump(): void {
    if (this.stopped || !this.handlers) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = (async () => {
      do {
        this.pumpAgain = false;
        while (!this.stopped && this.running.size < this.options.concurrency) {
          const claimed = await this.claimNext();
          if (!claimed) break;
        }
      } while (this.pumpAgain && !this.stopped);
    })()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'queue poll failed'))
      .finally(() => {
        this.pumping = undefined;
      });
  }

  private async claimNext(): Promise<boolean> {
    const { db } = this.options;
    const now = new Date().toISOString();
    const next = await db
      .selectFrom('jobs')
      .select(['vidata_id', 'attempts', 'max_attempts'])
      .where('status', '=', 'queued')
      .where('run_at', '<=', now)
      .orderBy('run_at')
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    if (!next) return false;
    // The status condition makes the claim safe if another worker took the row in between.
    const claimed = await db
      .updateTable('jobs')
      .set({ status: 'running', attempts: next.attempts + 1, updated_at: now })
      .where('vidata_id', '=', next.vidata_id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    if (claimed.numUpdatedRows !== 1n) return true;
    this.run(next.vidata_id, next.attempts + 1, next.max_attempts);
    return true;
  }

  private run(vidataId: string, attempt: number, maxAttempts: number): void {
    const handlers = this.handlers;
    if (!handlers) return;
    const controller = new AbortController();
    const done = (async () => {
      try {
        await handlers.process({ vidataId, attempt, maxAttempts, signal: controller.signal });
        await this.options.db.deleteFrom('jobs').where('vidata_id', '=', vidataId).execute();
      } catch (error) {
        await this.settleFailure(handlers, { vidataId, attempt, maxAttempts }, controller.signal, error);
      }
    })()
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, vidataId }, 'job bookkeeping failed'),
      )
      .finally(() => {
        this.running.delete(vidataId);
        this.pump();
      });
    this.running.set(vidataId, { controller, done });
  }

  private async settleFailure(
    handlers: JobHandlers,
    job: { vidataId: string; attempt: number; maxAttempts: number },
    signal: AbortSignal,
    error: unknown,
  ): Promise<void> {
    const { db, logger } = this.options;
    const { vidataId, attempt, maxAttempts } = job;
    if (signal.aborted && signal.reason === CANCELLED) {
      logger.info({ vidataId }, 'job cancelled');
      return;
    }
    if (signal.aborted && signal.reason === SHUTDOWN) {
      await db
        .updateTable('jobs')
        .set({ status: 'queued', attempts: attempt - 1, updated_at: new Date().toISOString() })
        .where('vidata_id', '=', vidataId)
        .execute();
      logger.info({ vidataId }, 'job returned to the queue at shutdown');
      return;
    }
    const retryable = isVidataError(error) ? error.retryable : true;
    if (retryable && attempt < maxAttempts) {
      const delay = this.options.retryDelayMs * 2 ** (attempt - 1);
      await db
        .updateTable('jobs')
        .set({
          status: 'queued',
          run_at: new Date(Date.now() + delay).toISOString(),
          last_error: describe(error),
          updated_at: new Date().toISOString(),
        })
        .where('vidata_id', '=', vidataId)
        .execute();
      logger.warn({ vidataId, attempt, delayMs: delay, err: error }, 'job failed, retry scheduled');
      return;
    }
    await this.markFailed(vidataId, error);
    logger.error({ vidataId, attempt, err: error }, 'job failed');
    await handlers.failed({ vidataId, attempts: attempt }, error);
  }

  private async markFailed(vidataId: string, error: unknown): Promise<void> {
    await this.options.db
      .updateTable('jobs')
      .set({ status: 'failed', last_error: describe(error), updated_at: new Date().toISOString() })
      .where('vidata_id', '=', vidataId)
      .execute();
  }
}

function describe(error: unknown): string {
  if (isVidataError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
