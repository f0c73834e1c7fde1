/**
 * The service's queue with its renders in a worker process, as `vidata serve` runs them: a worker
 * killed during a render costs one attempt, uploads are read through the server, and a DELETE
 * cancels the render inside the worker.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import type { RenderFunction } from '../../src/service/render-job.ts';
import { RenderWorkerPool } from '../../src/worker/pool.ts';
import { childPids } from './processes.ts';
import {
  PHOTO,
  SAMPLE_VARIABLES,
  createVidata,
  startTestServer,
  upload,
  waitForVidata,
  type TestServer,
} from '../api/helpers.ts';

const config = loadConfig({});

describe('service with render workers', () => {
  let pool: RenderWorkerPool;
  let server: TestServer | undefined;
  /** What the next render attempts do to their worker when the first event arrives. */
  let onFirstEvent: (attempt: number) => void = () => {};
  let attempts = 0;

  const render: RenderFunction = (request, hints) => {
    const attempt = ++attempts;
    let seen = false;
    return pool.render(
      {
        ...request,
        onEvent: (event) => {
          if (!seen) {
            seen = true;
            onFirstEvent(attempt);
          }
          request.onEvent?.(event);
        },
      },
      hints,
    );
  };
  const killWorker = () => {
    const [pid] = pool.pids();
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  };

  before(async () => {
    pool = new RenderWorkerPool({
      size: 1,
      settings: { maps: config.maps },
      logger: pino({ level: 'silent' }),
    });
    await pool.start();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    onFirstEvent = () => {};
    attempts = 0;
  });
  after(() => pool.close());

  it('retries the job of a killed worker', async () => {
    server = await startTestServer({ render });
    const photo = (await upload(server, await readFile(PHOTO), 'p.png')).json<{ Filename: string }>();
    onFirstEvent = (attempt) => {
      if (attempt === 1) killWorker();
    };
    const id = await createVidata(server, { ...SAMPLE_VARIABLES, 'IMG_photo.png': photo.Filename });

    const done = await waitForVidata(server, id, (b) => b.Status === 'done' || b.Status === 'failed', 60_000);
    assert.equal(done.Status, 'done', JSON.stringify(done.Error));
    assert.equal(attempts, 2);
  });

  it('fails the Vidata when every attempt is killed', async () => {
    server = await startTestServer({ render, env: { VIDATA_MAX_ATTEMPTS: '2' } });
    onFirstEvent = () => killWorker();
    const id = await createVidata(server);

    const failed = await waitForVidata(server, id, (b) => b.Status === 'failed', 60_000);
    assert.equal((failed.Error as { code: string }).code, 'RENDER_FAILED');
    assert.equal(attempts, 2);
    const next = await createVidata(server);
    onFirstEvent = () => {};
    const done = await waitForVidata(
      server,
      next,
      (b) => b.Status === 'done' || b.Status === 'failed',
      60_000,
    );
    assert.equal(done.Status, 'done', JSON.stringify(done.Error));
  });

  it('cancels a running render on DELETE', async () => {
    const current = await startTestServer({ render });
    server = current;
    let deleted: Promise<number> | undefined;
    onFirstEvent = () => {
      deleted = current.app
        .inject({ method: 'DELETE', url: `/v1/vidata/${id}?vkey=${current.key}` })
        .then((response) => response.statusCode);
    };
    const id = await createVidata(current);
    await waitForVidata(current, id, () => deleted !== undefined, 60_000);

    assert.equal(await deleted, 204);
    const [pid] = pool.pids();
    assert.ok(pid !== undefined, 'no worker running');
    assert.deepEqual(childPids(pid), [], 'ffmpeg processes left running after the cancel');
    const deletedVidata = await current.app.inject({ url: `/v1/vidata/${id}?vkey=${current.key}` });
    assert.equal(deletedVidata.statusCode, 404);
    assert.equal(attempts, 1);
  });
});
