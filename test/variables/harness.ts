/**
 * Runs one variable case through the path a real Vidata takes. Each file is stored by the upload
 * service, which checks its bytes. The values go through the Vidata service's create call, which runs
 * the checks the API runs before queueing. The engine then renders the values stored with the
 * Vidata, as the render worker does. The services run on a real SQLite database in a temporary data
 * folder. The queue's workers are not started, so nothing renders twice.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { render } from '../../src/engine/render.ts';
import type { RenderResult } from '../../src/engine/types.ts';
import { VidataError, type ErrorCode } from '../../src/errors.ts';
import { openServices, type Services } from '../../src/service/context.ts';
import type { Project } from '../../src/service/projects.ts';
import { problemList } from '../../src/service/vidatas.ts';
import type { Template } from '../../src/template/load.ts';
import type { ResolvedValues } from '../../src/template/values.ts';

/** The test folder: upload values name their fixture relative to it. */
export const TEST_ROOT = path.resolve(import.meta.dirname, '..');
export const TEMPLATES = {
  card: path.resolve(import.meta.dirname, 'fixtures/card'),
  clip: path.resolve(import.meta.dirname, 'fixtures/clip'),
} as const;
export type TemplateName = keyof typeof TEMPLATES;

/** A fixture file (relative to the test folder) to upload first. The upload's Filename is sent in its place. */
export interface UploadValue {
  upload: string;
}

export type CaseValue = string | UploadValue;

/** Where a value was rejected: by the upload call, by the create call, or by the render. */
export type Stage = 'upload' | 'create' | 'render';

export interface Refusal {
  at: Stage;
  code: ErrorCode;
  field: string | undefined;
  message: string;
}

export interface Rendered {
  template: Template;
  values: ResolvedValues;
  result: RenderResult;
  /** Local path of each uploaded fixture, by variable name. */
  uploads: Record<string, string>;
}

export type Outcome = { refused: Refusal } | { rendered: Rendered };

export interface Harness {
  run(template: TemplateName, values: Readonly<Record<string, CaseValue>>): Promise<Outcome>;
  close(): Promise<void>;
}

export async function openHarness(): Promise<Harness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vidata-variables-'));
  const config = loadConfig({
    VIDATA_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    // Every case creates a Vidata, so the suite must not meet the per-minute limit meant for clients.
    VIDATA_RATE_LIMIT_PER_MINUTE: '100000',
  });
  const services = await openServices({ config, logger: pino({ level: 'silent' }) });
  const projects = new Map<TemplateName, Project>();
  for (const name of Object.keys(TEMPLATES) as TemplateName[]) {
    const { project } = await services.projects.create({
      name: `variables ${name}`,
      templateDir: TEMPLATES[name],
    });
    projects.set(name, project);
  }
  return {
    run: (name, values) => runCase(services, projects.get(name) as Project, values, dataDir),
    async close() {
      await services.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function runCase(
  services: Services,
  project: Project,
  values: Readonly<Record<string, CaseValue>>,
  dataDir: string,
): Promise<Outcome> {
  const variables: Record<string, string> = {};
  const uploads: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string') {
      variables[name] = value;
      continue;
    }
    const file = path.join(TEST_ROOT, value.upload);
    try {
      const upload = await services.uploads.store(project.id, createReadStream(file), () => false);
      variables[name] = upload.filename;
      uploads[name] = file;
    } catch (error) {
      return { refused: refusal('upload', error) };
    }
  }

  let vidataId: string;
  try {
    ({
      vidata: { id: vidataId },
    } = await services.vidatas.create(project, variables));
  } catch (error) {
    return { refused: refusal('create', error) };
  }

  // The render worker renders the values stored with the Vidata, not the request's.
  const row = await services.db
    .selectFrom('vidatas')
    .select('resolved')
    .where('id', '=', vidataId)
    .executeTakeFirstOrThrow();
  const resolved = JSON.parse(row.resolved) as ResolvedValues;
  const template = await services.projects.template(project);
  const outDir = await mkdtemp(path.join(dataDir, 'render-'));
  try {
    const result = await render({
      template,
      values: resolved,
      output: { video: path.join(outDir, 'video.mp4'), cover: path.join(outDir, 'cover.jpg') },
      ffmpeg: services.config.ffmpeg,
      media: { resolveUpload: (filename) => services.uploads.localPath(project.id, filename) },
      workDir: outDir,
      threads: 1,
    });
    return { rendered: { template, values: resolved, result, uploads } };
  } catch (error) {
    return { refused: refusal('render', error) };
  }
}

function refusal(at: Stage, error: unknown): Refusal {
  if (!(error instanceof VidataError)) throw error;
  // A create call lists every problem. The cases send one bad value, so the first problem is the one.
  const problem = problemList(error)[0] ?? error;
  return { at, code: problem.code, field: problem.field, message: problem.message };
}
