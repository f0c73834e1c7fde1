import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { openDatabase } from '../../src/adapters/database/connect.ts';
import type { Db } from '../../src/adapters/database/schema.ts';
import { DatabaseJobQueue } from '../../src/adapters/queue/database-queue.ts';
import type { JobHandlers, QueuedJob } from '../../src/adapters/queue/types.ts';
import { VidataError } from '../../src/errors.ts';
import { DATABASES, type TestDatabase } from './databases.ts';

const logger = pino({ level: 'silent' });

/** Waits until `check` holds, polling every 10 ms; fails after `timeoutMs`. */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Recorder extends JobHandlers {
  processed: QueuedJob[];
  failures: { vidataId: string; attempts: number; error: unknown }[];
}

function recorder(process: (job: QueuedJob) => Promise<void> = () => Promise.resolve()): Recorder {
  const processed: QueuedJob[] = [];
  const failures: Recorder['failures'] = [];
  return {
    processed,
    failures,
    process: async (job) => {
      processed.push(job);
      await process(job);
    },
    failed: ({ vidataId, attempts }, error) => {
      failures.push({ vidataId, attempts, error });
      return Promise.resolve();
    },
  };
}

/** Resolves when aborted, so a job can wait for its cancellation. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(new VidataError('RENDER_CANCELLED', 'aborted')), {
      once: true,
    });
  });
}

for (const makeDatabase of DATABASES) {
  describe(`database queue on ${makeDatabase === DATABASES[0] ? 'SQLite' : 'PostgreSQL'}`, () => {
    let database: TestDatabase;
    let db: Db;
    let queues: DatabaseJobQueue[];
    const newQueue = (options: { concurrency?: number; maxAttempts?: number } = {}) => {
      const queue = new DatabaseJobQueue({
        db,
        concurrency: options.concurrency ?? 2,
        maxAttempts: options.maxAttempts ?? 3,
        logger,
        pollMs: 20,
        retryDelayMs: 10,
      });
      queues.push(queue);
      return queue;
    };
    const jobRows = () => db.selectFrom('jobs').selectAll().orderBy('vidata_id').execute();

    before(async () => {
      database = await makeDatabase();
      db = await openDatabase(database.options);
    });
    after(async () => {
      await db?.destroy();
      await database?.drop();
    });
    beforeEach(() => {
      queues = [];
    });
    afterEach(async () => {
      for (const queue of queues) await queue.stop();
      await db.deleteFrom('jobs').execute();
    });

    it('runs each queued job once and removes it', async () => {
      const queue = newQueue();
      const handlers = recorder();
      await queue.start(handlers);
      for (const id of ['a', 'b', 'c']) await queue.enqueue(id);
      await eventually(() => handlers.processed.length === 3);
      await eventually(async () => (await jobRows()).length === 0);
      assert.deepEqual(handlers.processed.map((j) => j.vidataId).sort(), ['a', 'b', 'c']);
      assert.ok(handlers.processed.every((j) => j.attempt === 1 && j.maxAttempts === 3));
    });

    it('runs at most `concurrency` jobs at once', async () => {
      const queue = newQueue({ concurrency: 2 });
      let running = 0;
      let peak = 0;
      const handlers = recorder(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 40));
        running--;
      });
      await queue.start(handlers);
      for (const id of ['a', 'b', 'c', 'd', 'e']) await queue.enqueue(id);
      await eventually(() => handlers.processed.length === 5 && running === 0);
      assert.equal(peak, 2);
    });

    it('retries a retryable failure until it succeeds', async () => {
      const queue = newQueue();
      const handlers = recorder((job) =>
        job.attempt < 3 ? Promise.reject(new VidataError('FFMPEG_FAILED', 'killed')) : Promise.resolve(),
      );
      await queue.start(handlers);
      await queue.enqueue('a');
      await eventually(async () => handlers.processed.length === 3 && (await jobRows()).length === 0);
      assert.deepEqual(
        handlers.processed.map((j) => j.attempt),
        [1, 2, 3],
      );
      assert.equal(handlers.failures.length, 0);
    });

    it('fails for good after the last attempt', async () => {
      const queue = newQueue({ maxAttempts: 2 });
      const handlers = recorder(() => Promise.reject(new Error('disk full')));
      await queue.start(handlers);
      await queue.enqueue('a');
      await eventually(() => handlers.failures.length === 1);
      assert.equal(handlers.processed.length, 2);
      assert.equal(handlers.failures[0]?.attempts, 2);
      const [row] = await jobRows();
      assert.equal(row?.status, 'failed');
      assert.match(String(row?.last_error), /disk full/);
    });

    it('does not retry a non-retryable error', async () => {
      const queue = newQueue();
      const handlers = recorder(() => Promise.reject(new VidataError('TEXT_DOES_NOT_FIT', 'too long')));
      await queue.start(handlers);
      await queue.enqueue('a');
      await eventually(() => handlers.failures.length === 1);
      assert.equal(handlers.processed.length, 1);
      assert.equal((handlers.failures[0]?.error as VidataError).code, 'TEXT_DOES_NOT_FIT');
    });

    it('queues again a job a crash left running', async () => {
      const now = new Date().toISOString();
      await db
        .insertInto('jobs')
        .values({
          vidata_id: 'crashed',
          status: 'running',
          attempts: 1,
          max_attempts: 3,
          run_at: now,
          last_error: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const queue = newQueue();
      const handlers = recorder();
      await queue.start(handlers);
      await eventually(() => handlers.processed.length === 1);
      assert.equal(handlers.processed[0]?.attempt, 2);
    });

    it('fails a crashed job that used every attempt', async () => {
      const now = new Date().toISOString();
      await db
        .insertInto('jobs')
        .values({
          vidata_id: 'poison',
          status: 'running',
          attempts: 3,
          max_attempts: 3,
          run_at: now,
          last_error: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const queue = newQueue();
      const handlers = recorder();
      await queue.start(handlers);
      assert.equal(handlers.processed.length, 0);
      assert.equal(handlers.failures.length, 1);
      assert.equal((handlers.failures[0]?.error as VidataError).code, 'RENDER_FAILED');
      const [row] = await jobRows();
      assert.equal(row?.status, 'failed');
    });

    it('cancels a running job and removes it', async () => {
      const queue = newQueue();
      let aborted = false;
      const handlers = recorder(async (job) => {
        await untilAborted(job.signal).catch((error: unknown) => {
          aborted = true;
          throw error;
        });
      });
      await queue.start(handlers);
      await queue.enqueue('a');
      await eventually(() => handlers.processed.length === 1);
      await queue.cancel('a');
      assert.equal(aborted, true);
      assert.deepEqual(await jobRows(), []);
      assert.equal(handlers.failures.length, 0);
    });

    it('returns running jobs to the queue at stop, without using an attempt', async () => {
      const first = newQueue();
      const handlers = recorder((job) => untilAborted(job.signal));
      await first.start(handlers);
      await first.enqueue('a');
      await eventually(() => handlers.processed.length === 1);
      await first.stop();
      const [row] = await jobRows();
      assert.equal(row?.status, 'queued');
      assert.equal(row?.attempts, 0);

      const second = newQueue();
      const again = recorder();
      await second.start(again);
      await eventually(() => again.processed.length === 1);
      assert.equal(again.processed[0]?.attempt, 1);
    });

    it('picks up a job enqueued by another process', async () => {
      const queue = newQueue();
      const handlers = recorder();
      await queue.start(handlers);
      const now = new Date().toISOString();
      await db
        .insertInto('jobs')
        .values({
          vidata_id: 'from-elsewhere',
          status: 'queued',
          attempts: 0,
          max_attempts: 3,
          run_at: now,
          last_error: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await eventually(() => handlers.processed.length === 1);
    });
  });
}
