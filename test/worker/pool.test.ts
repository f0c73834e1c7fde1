/**
 * The render worker pool with real worker processes, the real engine and ffmpeg: results, events
 * and error codes across the process boundary, a worker killed during a render, cancellation.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { VidataError, isVidataError } from '../../src/errors.ts';
import type { RenderEvent, RenderRequest } from '../../src/engine/types.ts';
import { createMapProvider, templateMapFonts } from '../../src/maps/index.ts';
import type { RenderHints } from '../../src/service/render-job.ts';
import { loadTemplate, type Template } from '../../src/template/load.ts';
import { validateValues, type ResolvedValues } from '../../src/template/values.ts';
import { RenderWorkerPool } from '../../src/worker/pool.ts';
import { childPids } from './processes.ts';

const testDir = path.dirname(fileURLToPath(import.meta.url));
const API_TEMPLATE = path.join(testDir, '..', 'fixtures', 'api-template');
const WELCOME_TEMPLATE = path.join(testDir, '..', '..', 'templates', 'welcome');
const config = loadConfig({});

/**
 * True unless the process is gone, a zombie (killed, waiting for its new parent to reap it) or
 * has a SIGKILL pending (bit 9 of the ShdPnd mask in /proc/<pid>/status).
 */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    const pending = /^ShdPnd:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return pending === undefined || (BigInt(`0x${pending}`) & 0x100n) === 0n;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('render worker pool', () => {
  let root: string;
  let pool: RenderWorkerPool;
  let apiTemplate: Template;
  let welcome: Template;
  let serial = 0;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vidata-worker-'));
    pool = new RenderWorkerPool({
      size: 1,
      settings: { maps: config.maps, mapsCacheDir: path.join(root, 'maps') },
      logger: pino({ level: 'silent' }),
    });
    await pool.start();
    apiTemplate = await loadTemplate(API_TEMPLATE);
    welcome = await loadTemplate(WELCOME_TEMPLATE);
  });
  after(async () => {
    await pool.close();
    await rm(root, { recursive: true, force: true });
  });

  /** Builds a request as the render job does, writing into a folder of its own. */
  async function request(
    template: Template,
    values: ResolvedValues,
    extra: Partial<RenderRequest> = {},
  ): Promise<RenderRequest> {
    const workDir = await mkdtemp(path.join(root, `job-${serial++}-`));
    return {
      template,
      values,
      output: { video: path.join(workDir, 'video.mp4'), cover: path.join(workDir, 'cover.jpg') },
      ffmpeg: config.ffmpeg,
      workDir,
      ...extra,
    };
  }

  const apiValues = () => validateValues(apiTemplate, { TXT_USEREMAIL: 'ada@example.org' });
  const welcomeValues = () =>
    validateValues(welcome, {
      TXT_USEREMAIL: 'ada@example.org',
      TXT_NAME: 'Ada Lovelace',
      TXT_METIER: 'Métrologue',
    });

  it('renders in another process with events', async () => {
    const maps = createMapProvider(config.maps);
    const values = await apiValues();
    const address = values.texts['TXT_MAP_IMG_map.png'] ?? '';
    const hints: RenderHints = {
      maps: {
        fonts: templateMapFonts(apiTemplate),
        locations: new Map([[address, await maps.locate(address)]]),
      },
    };
    const events: RenderEvent[] = [];
    const result = await pool.render(
      await request(apiTemplate, values, {
        maps: maps.withFonts(hints.maps?.fonts ?? []),
        onEvent: (event) => events.push(event),
      }),
      hints,
    );

    assert.equal(result.width, 320);
    assert.equal(result.height, 180);
    assert.ok((await stat(result.video)).size > 0, 'video file is empty');
    assert.ok((await stat(result.cover)).size > 0, 'cover file is empty');
    assert.ok(
      events.some((e) => e.type === 'progress'),
      'no progress event',
    );
    assert.ok(
      events.some((e) => e.type === 'stage-end' && e.stage === 'join'),
      'no join stage event',
    );
  });

  it('keeps error codes across the boundary', async () => {
    const values = await apiValues();
    values.images['IMG_photo.png'] = { kind: 'upload', filename: 'gone1234.png' };
    const requested: string[] = [];
    const rejected = pool.render(
      await request(apiTemplate, values, {
        media: {
          resolveUpload: (filename) => {
            requested.push(filename);
            return Promise.reject(
              new VidataError('UPLOAD_NOT_FOUND', `No upload ${filename}.`, {
                field: 'variables.IMG_photo.png',
                details: { filename },
              }),
            );
          },
        },
      }),
    );

    const error = await rejected.then(
      () => assert.fail('the render succeeded'),
      (e: unknown) => e,
    );
    assert.ok(isVidataError(error), `not a VidataError: ${String(error)}`);
    assert.equal(error.code, 'UPLOAD_NOT_FOUND');
    assert.equal(error.field, 'variables.IMG_photo.png');
    assert.deepEqual(error.details, { filename: 'gone1234.png' });
    assert.deepEqual(requested, ['gone1234.png']);
  });

  it('reports an engine error code from the worker', async () => {
    const missing = path.join(root, 'no-such-ffmpeg');
    const rejected = pool.render(
      await request(apiTemplate, await apiValues(), { ffmpeg: { ffmpeg: missing, ffprobe: missing } }),
    );
    await assert.rejects(rejected, (e: unknown) => isVidataError(e) && e.code === 'FFMPEG_NOT_FOUND');
  });

  it('fails the render of a killed worker and replaces it', async () => {
    const [pid] = pool.pids();
    assert.ok(pid !== undefined, 'no worker running');
    let killed = false;
    let ffmpegAtKill: number[] = [];
    const rendering = pool.render(
      await request(welcome, await welcomeValues(), {
        singlePass: true,
        onEvent: (event) => {
          if (event.type === 'progress' && event.progress > 15 && !killed) {
            killed = true;
            ffmpegAtKill = childPids(pid);
            process.kill(pid, 'SIGKILL');
          }
        },
      }),
    );

    const error = await rendering.then(
      () => assert.fail('the render succeeded'),
      (e: unknown) => e,
    );
    assert.ok(isVidataError(error), `not a VidataError: ${String(error)}`);
    assert.equal(error.code, 'RENDER_FAILED');
    assert.equal(error.retryable, true);
    assert.deepEqual(error.details, { exitCode: null, signal: 'SIGKILL' });
    // Progress past 15 % of a single pass comes from its encoding ffmpeg, so one ran at the kill.
    assert.ok(ffmpegAtKill.length > 0, 'no ffmpeg process was running at the kill');
    for (const ffmpeg of ffmpegAtKill) {
      assert.ok(!isRunning(ffmpeg), `ffmpeg ${ffmpeg} of the killed worker is still running`);
    }

    const next = await pool.render(await request(apiTemplate, await apiValues()));
    assert.ok((await stat(next.video)).size > 0, 'video of the next render is empty');
    const [replacement] = pool.pids();
    assert.ok(replacement !== undefined, 'no worker after the kill');
    assert.notEqual(replacement, pid, 'the killed worker was not replaced');
  });

  it('cancels a render in the worker and stops its ffmpeg', async () => {
    const [pid] = pool.pids();
    assert.ok(pid !== undefined, 'no worker running');
    const controller = new AbortController();
    const rendering = pool.render(
      await request(welcome, await welcomeValues(), {
        singlePass: true,
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'progress' && event.progress > 0) controller.abort();
        },
      }),
    );

    await assert.rejects(rendering, (e: unknown) => isVidataError(e) && e.code === 'RENDER_CANCELLED');
    assert.ok(isAlive(pid), 'the worker exited after a cancel');
    assert.deepEqual(childPids(pid), [], 'ffmpeg processes left running after the cancel');
    assert.deepEqual(pool.pids(), [pid]);

    const next = await pool.render(await request(apiTemplate, await apiValues()));
    assert.ok((await stat(next.video)).size > 0, 'video of the next render is empty');
  });

  it('rejects a render cancelled before it starts', async () => {
    const controller = new AbortController();
    controller.abort();
    const rendering = pool.render(
      await request(apiTemplate, await apiValues(), { signal: controller.signal }),
    );
    await assert.rejects(rendering, (e: unknown) => isVidataError(e) && e.code === 'RENDER_CANCELLED');
  });
});

describe('render worker pool start failure', () => {
  it('fails waiting renders without restarting', async () => {
    // No worker starts within 1 ms, so each start times out and the worker is killed.
    const pool = new RenderWorkerPool({
      size: 1,
      settings: { maps: config.maps },
      logger: pino({ level: 'silent' }),
      startTimeoutMs: 1,
    });
    try {
      const template = await loadTemplate(API_TEMPLATE);
      const values = await validateValues(template, { TXT_USEREMAIL: 'ada@example.org' });
      const rendering = pool.render({
        template,
        values,
        output: { video: '/nonexistent/video.mp4', cover: '/nonexistent/cover.jpg' },
        ffmpeg: config.ffmpeg,
      });

      await assert.rejects(
        rendering,
        (e: unknown) => isVidataError(e) && e.code === 'RENDER_FAILED' && /did not start/.test(e.message),
      );
      assert.deepEqual(pool.pids(), [], 'a worker was started again after the failure');
    } finally {
      await pool.close();
    }
  });
});
