/**
 * The render queue: one job per Vidata. The embedded adapter keeps jobs in the database and runs
 * them in this process; a BullMQ adapter on Redis can implement the same interface for workers on
 * other machines.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.ts';

export interface QueuedJob {
  vidataId: string;
  /** 1 for the first start, counting starts interrupted by a crash. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the job is cancelled or the server stops; the handler must stop promptly. */
  signal: AbortSignal;
}

export interface JobHandlers {
  /** Runs one job; a throw is a failed attempt. */
  process(job: QueuedJob): Promise<void>;
  /** Called once when a job has failed for good (a non-retryable error, or no attempts left). */
  failed(job: { vidataId: string; attempts: number }, error: unknown): Promise<void>;
}

export interface JobQueue {
  /** Stores a job for the Vidata; it runs once a worker is free. */
  enqueue(vidataId: string): Promise<void>;
  /**
   * Set by a queue whose jobs live in the service's database: stores the job with the database
   * transaction that stores its Vidata, so that neither exists without the other. `jobsAdded`
   * must be called once that transaction is committed.
   */
  transactional?: {
    insertJob(executor: Kysely<Database>, vidataId: string): Promise<void>;
    jobsAdded(): void;
  };
  /** Recovers jobs a crash left running, then starts the workers. */
  start(handlers: JobHandlers): Promise<void>;
  /** Removes the Vidata's job; a running one is aborted and awaited. */
  cancel(vidataId: string): Promise<void>;
  /** Stops taking jobs; running ones are aborted and returned to the queue without using an attempt. */
  stop(): Promise<void>;
}
