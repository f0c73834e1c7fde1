/** Test servers around a real SQLite database in a temporary data folder, with stand-in renders. */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { buildApp } from '../../src/api/app.ts';
import type { ZodApp } from '../../src/api/types.ts';
import { loadConfig } from '../../src/config.ts';
import { VidataError } from '../../src/errors.ts';
import type { RenderRequest, RenderResult } from '../../src/engine/types.ts';
import type { DatabaseOptions } from '../../src/adapters/database/connect.ts';
import { openServices, type Services } from '../../src/service/context.ts';
import type { RenderFunction } from '../../src/service/render-job.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.join(here, '..', 'fixtures');
export const API_TEMPLATE = path.join(FIXTURES, 'api-template');
export const CLIP = path.join(FIXTURES, 'media', 'clip.mp4');
export const COVER = path.join(FIXTURES, 'media', 'cover.jpg');
export const PHOTO = path.join(FIXTURES, 'media', 'photo.png');

export interface TestServer {
  app: ZodApp;
  services: Services;
  dataDir: string;
  /** Id and key of a project on the API test template. */
  projectId: string;
  key: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  render?: RenderFunction;
  env?: Record<string, string>;
  dataDir?: string;
  database?: DatabaseOptions;
  /** Skip creating the default project (a restart on an existing data folder). */
  project?: { id: string; key: string };
  /** Do not start the render workers. */
  noWorkers?: boolean;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'vidata-api-')));
  const config = loadConfig({
    VIDATA_DATA_DIR: dataDir,
    VIDATA_RENDER_CONCURRENCY: '1',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const logger = pino({ level: config.server.logLevel });
  const services = await openServices({
    config,
    logger,
    ...(options.database ? { database: options.database } : {}),
    queueTimings: { pollMs: 50, retryDelayMs: 20 },
  });
  let projectId: string;
  let key: string;
  if (options.project) {
    ({ id: projectId, key } = options.project);
  } else {
    const created = await services.projects.create({ name: 'Test project', templateDir: API_TEMPLATE });
    projectId = created.project.id;
    key = created.key;
  }
  if (!options.noWorkers) await services.startWorkers(options.render ?? copyRender());
  const app = await buildApp({ services, logger });
  await app.ready();
  return {
    app,
    services,
    dataDir,
    projectId,
    key,
    async close() {
      await app.close();
      await services.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A stand-in render: copies the fixture clip and cover, reporting progress like the engine. */
export function copyRender(onRequest?: (request: RenderRequest) => void): RenderFunction {
  return async (request) => {
    onRequest?.(request);
    request.onEvent?.({ type: 'progress', progress: 50 });
    await copyFile(CLIP, request.output.video);
    await copyFile(COVER, request.output.cover);
    request.onEvent?.({ type: 'progress', progress: 100 });
    return fixtureResult(request);
  };
}

function fixtureResult(request: RenderRequest): RenderResult {
  return {
    video: request.output.video,
    cover: request.output.cover,
    duration: 1,
    width: 320,
    height: 180,
    fps: 10,
    frameCount: 10,
    timings: {},
  };
}

/** Returns a render that waits until released (then copies the fixture) or aborted (then rejects). */
export function blockingRender(): {
  render: RenderFunction;
  started: Promise<RenderRequest>;
  release(): void;
} {
  let release = () => {};
  let markStarted: (request: RenderRequest) => void = () => {};
  const started = new Promise<RenderRequest>((resolve) => (markStarted = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const render: RenderFunction = async (request) => {
    markStarted(request);
    await new Promise<void>((resolve, reject) => {
      const abort = () => reject(new VidataError('RENDER_CANCELLED', 'The render was cancelled.'));
      if (request.signal?.aborted) abort();
      request.signal?.addEventListener('abort', abort, { once: true });
      void released.then(resolve);
    });
    await copyFile(CLIP, request.output.video);
    await copyFile(COVER, request.output.cover);
    return fixtureResult(request);
  };
  return { render, started, release: () => release() };
}

/** Polls the Vidata until `until` holds; fails after `timeoutMs`. */
export async function waitForVidata(
  server: TestServer,
  vidataId: string,
  until: (body: Record<string, unknown>) => boolean,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await server.app.inject({ url: `/v1/vidata/${vidataId}?vkey=${server.key}` });
    const body = response.json<Record<string, unknown>>();
    if (until(body)) return body;
    if (Date.now() > deadline)
      throw new Error(`Vidata ${vidataId} still ${JSON.stringify(body)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const SAMPLE_VARIABLES = {
  TXT_USEREMAIL: 'ada@example.org',
  TXT_NAME: 'Matthieu Rogier',
  TXT_METIER: 'Métrologue',
};

/** Creates a Vidata and returns its id; throws unless the response status is 201. */
export async function createVidata(
  server: TestServer,
  variables: Record<string, unknown> = SAMPLE_VARIABLES,
): Promise<string> {
  const response = await server.app.inject({
    method: 'POST',
    url: '/v1/vidata',
    payload: { key: server.key, variables },
  });
  if (response.statusCode !== 201)
    throw new Error(`create answered ${response.statusCode}: ${response.body}`);
  return response.json<{ VidataId: string }>().VidataId;
}

export interface ErrorJson {
  code: string;
  message: string;
  field?: string;
  errors?: { code: string; message: string; field?: string }[];
}

/** Returns the error body of an injected response. */
export function errorOf(response: { json<T>(): T }): ErrorJson {
  return response.json<ErrorJson>();
}

/** Builds a multipart/form-data body with one file part, as headers and payload for `inject`. */
export async function multipartBody(
  data: Buffer,
  filename: string,
  field = 'file',
): Promise<{ headers: Record<string, string>; payload: Buffer }> {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(data)]), filename);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    headers: Object.fromEntries(request.headers),
    payload: Buffer.from(await request.arrayBuffer()),
  };
}

/** Uploads a file for the server's project and returns the response. */
export async function upload(server: TestServer, data: Buffer, filename: string, field = 'file') {
  const body = await multipartBody(data, filename, field);
  return server.app.inject({ method: 'POST', url: `/v1/upload?vkey=${server.key}`, ...body });
}
