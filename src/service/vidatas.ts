/**
 * Vidatas: validate the values against the project's template, store the record, queue its render.
 * Nothing is stored when a value is invalid.
 */
import type { Logger } from 'pino';
import { VidataError, VidataValidationError } from '../errors.ts';
import type { Template } from '../template/load.ts';
import { validateValues, type ResolvedValues } from '../template/values.ts';
import type { Db, NewVidata, VidataRow, VidataStatus } from '../adapters/database/schema.ts';
import type { JobQueue } from '../adapters/queue/types.ts';
import type { FileStorage } from '../adapters/storage/types.ts';
import { insertRow, WriteBatch } from '../adapters/database/write-batch.ts';
import { hashJson, newBatchId, newId } from './ids.ts';
import { checkAddresses, type VidataMapProvider } from '../maps/index.ts';
import { checkTextLayers } from './text-check.ts';
import type { Project, ProjectService } from './projects.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { UploadService } from './uploads/uploads.ts';

export interface Vidata {
  id: string;
  projectId: string;
  batchId: string | undefined;
  status: VidataStatus;
  progress: number;
  error: { code: string; message: string } | undefined;
  duration: number | undefined;
  width: number | undefined;
  height: number | undefined;
  createdAt: string;
  updatedAt: string;
}

export interface VidataServiceOptions {
  db: Db;
  storage: FileStorage;
  queue: JobQueue;
  projects: ProjectService;
  uploads: UploadService;
  rateLimiter: RateLimiter;
  logger: Logger;
  /** Map provider whose geocoder checks addresses at create time when it reads a local table. */
  maps: VidataMapProvider;
}

/** Storage keys of a Vidata's outputs. */
export const outputKeys = (vidataId: string) => ({
  folder: `vidatas/${vidataId}`,
  video: `vidatas/${vidataId}/video.mp4`,
  cover: `vidatas/${vidataId}/cover.jpg`,
});

export class VidataService {
  private readonly options: VidataServiceOptions;
  /** Create calls arriving together share one commit (see WriteBatch). */
  private readonly inserts: WriteBatch<VidataRow>;

  constructor(options: VidataServiceOptions) {
    this.options = options;
    this.inserts = new WriteBatch(options.db, async (db, row) => {
      await insertRow(db, 'vidatas', { ...row });
      await options.queue.transactional?.insertJob(db, row.id);
    });
  }

  /**
   * Validates the values against the project's template, then lays out the text layers that show
   * sent values; throws VidataValidationError listing every problem.
   */
  async validate(project: Project, variables: Record<string, unknown>): Promise<ResolvedValues> {
    const template = await this.options.projects.template(project);
    const resolved = await validateValues(template, variables, {
      requireEmail: true,
      uploadExists: (filename, kind) => this.options.uploads.exists(project.id, filename, kind),
    });
    const sent = new Set(Object.keys(variables));
    const problems = [
      ...(await checkTextLayers(template, resolved, sent)),
      ...(await checkAddresses(template, resolved, sent, this.options.maps)),
    ];
    if (problems.length > 0) throw new VidataValidationError(problems);
    return resolved;
  }

  /**
   * Creates one Vidata and queues its render. With an idempotency key, a repeated request with the
   * same values returns the first Vidata (`replayed`), and different values get CONFLICT.
   */
  async create(
    project: Project,
    variables: Record<string, unknown>,
    idempotencyKey?: string,
  ): Promise<{ vidata: Vidata; replayed: boolean }> {
    const requestHash = idempotencyKey === undefined ? null : hashJson(variables);
    if (idempotencyKey !== undefined) {
      const previous = await this.findByIdempotencyKey(project.id, idempotencyKey, requestHash);
      if (previous) return { vidata: previous, replayed: true };
    }
    const resolved = await this.validate(project, variables);
    this.options.rateLimiter.take(project.id, 1);
    const row = newRow(project.id, variables, resolved, {
      idempotencyKey: idempotencyKey ?? null,
      requestHash,
    });
    try {
      await this.inserts.add(row);
    } catch (error) {
      // Two requests with one key at the same time: the unique index lets one in; the other replays it.
      if (idempotencyKey === undefined) throw error;
      const previous = await this.findByIdempotencyKey(project.id, idempotencyKey, requestHash);
      if (!previous) throw error;
      return { vidata: previous, replayed: true };
    }
    await this.queued([row.id]);
    this.options.logger.info({ vidataId: row.id, projectId: project.id }, 'vidata queued');
    // The row as inserted: reading it back cost a query per create call.
    return { vidata: toVidata(row), replayed: false };
  }

  /**
   * Creates a batch: every customization is validated first; valid ones are created and queued,
   * invalid ones are returned with their index and error. Throws the first row's error when none is valid.
   */
  async createBatch(
    project: Project,
    customizations: Record<string, unknown>[],
  ): Promise<{
    batchId: string;
    created: { index: number; vidataId: string }[];
    invalid: { index: number; error: VidataError }[];
  }> {
    const valid: { index: number; row: NewVidata }[] = [];
    const invalid: { index: number; error: VidataError }[] = [];
    const batchId = newBatchId();
    for (const [index, variables] of customizations.entries()) {
      try {
        const resolved = await this.validate(project, variables);
        valid.push({ index, row: { ...newRow(project.id, variables, resolved), batch_id: batchId } });
      } catch (error) {
        if (
          !(error instanceof VidataError) ||
          error.code === 'TEMPLATE_INVALID' ||
          error.code === 'TEMPLATE_NOT_FOUND'
        )
          throw error;
        invalid.push({ index, error });
      }
    }
    if (valid.length === 0) {
      // Nothing is created; every problem of every row is listed, its field prefixed by the row.
      const problems = invalid.flatMap(({ index, error }) =>
        problemList(error).map(
          (problem) =>
            new VidataError(problem.code, `Customizations[${index}]: ${problem.message}`, {
              field: `Customizations[${index}].${problem.field ?? 'variables'}`,
            }),
        ),
      );
      throw new VidataValidationError(problems);
    }
    this.options.rateLimiter.take(project.id, valid.length);
    await this.options.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('batches')
        .values({ id: batchId, project_id: project.id, created_at: new Date().toISOString() })
        .execute();
      for (const { row } of valid) {
        await trx.insertInto('vidatas').values(row).execute();
        await this.options.queue.transactional?.insertJob(trx, row.id);
      }
    });
    await this.queued(valid.map(({ row }) => row.id));
    this.options.logger.info({ batchId, projectId: project.id, count: valid.length }, 'batch queued');
    return { batchId, created: valid.map(({ index, row }) => ({ index, vidataId: row.id })), invalid };
  }

  async get(project: Project, vidataId: string): Promise<Vidata> {
    return toVidata(await this.rowOf(project, vidataId));
  }

  /** Returns a Vidata by its id alone, for the public media links and player page. */
  async getPublic(vidataId: string): Promise<Vidata> {
    const row = await this.options.db
      .selectFrom('vidatas')
      .selectAll()
      .where('id', '=', vidataId)
      .executeTakeFirst();
    if (!row) throw new VidataError('NOT_FOUND', `Vidata "${vidataId}" not found.`, { field: 'vidataId' });
    return toVidata(row);
  }

  /** Returns the value of every template variable used by the Vidata, defaults filled in. */
  async variables(project: Project, vidataId: string): Promise<Record<string, string>> {
    const row = await this.rowOf(project, vidataId);
    const template = await this.options.projects.template(project);
    return usedValues(
      template,
      JSON.parse(row.variables) as Record<string, unknown>,
      JSON.parse(row.resolved) as ResolvedValues,
    );
  }

  /** Deletes the Vidata and its files; a render in progress is cancelled first. */
  async delete(project: Project, vidataId: string): Promise<void> {
    await this.rowOf(project, vidataId);
    await this.options.queue.cancel(vidataId);
    await this.options.db.deleteFrom('vidatas').where('id', '=', vidataId).execute();
    await this.options.storage.deleteFolder(outputKeys(vidataId).folder);
    this.options.logger.info({ vidataId }, 'vidata deleted');
  }

  async batch(
    project: Project,
    batchId: string,
  ): Promise<{ id: string; createdAt: string; vidatas: { id: string; status: VidataStatus }[] }> {
    const batch = await this.options.db
      .selectFrom('batches')
      .selectAll()
      .where('id', '=', batchId)
      .where('project_id', '=', project.id)
      .executeTakeFirst();
    if (!batch) throw new VidataError('NOT_FOUND', `Batch "${batchId}" not found.`, { field: 'batchId' });
    const rows = await this.options.db
      .selectFrom('vidatas')
      .select(['id', 'status'])
      .where('batch_id', '=', batchId)
      .orderBy('created_at')
      .execute();
    return { id: batch.id, createdAt: batch.created_at, vidatas: rows };
  }

  private async findByIdempotencyKey(
    projectId: string,
    key: string,
    requestHash: string | null,
  ): Promise<Vidata | undefined> {
    const row = await this.options.db
      .selectFrom('vidatas')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.request_hash !== requestHash) {
      throw new VidataError('CONFLICT', 'This Idempotency-Key was already used with other values.', {
        field: 'Idempotency-Key',
      });
    }
    return toVidata(row);
  }

  /**
   * Makes the stored Vidatas' jobs known to the queue: a queue in the same database stored them
   * with the Vidatas; another queue gets them now.
   */
  private async queued(ids: string[]): Promise<void> {
    const transactional = this.options.queue.transactional;
    if (transactional) transactional.jobsAdded();
    else await this.enqueueOrRemove(ids);
  }

  private async enqueueOrRemove(ids: string[]): Promise<void> {
    for (const [position, id] of ids.entries()) {
      try {
        await this.options.queue.enqueue(id);
      } catch (error) {
        // A Vidata without a job would stay queued for ever: remove the ones not queued.
        const orphans = ids.slice(position);
        await this.options.db.deleteFrom('vidatas').where('id', 'in', orphans).execute();
        throw error;
      }
    }
  }

  private async rowOf(project: Project, vidataId: string): Promise<VidataRow> {
    const row = await this.options.db
      .selectFrom('vidatas')
      .selectAll()
      .where('id', '=', vidataId)
      .where('project_id', '=', project.id)
      .executeTakeFirst();
    if (!row) throw new VidataError('NOT_FOUND', `Vidata "${vidataId}" not found.`, { field: 'vidataId' });
    return row;
  }
}

function newRow(
  projectId: string,
  variables: Record<string, unknown>,
  resolved: ResolvedValues,
  idempotency: { idempotencyKey: string | null; requestHash: string | null } = {
    idempotencyKey: null,
    requestHash: null,
  },
): VidataRow {
  const now = new Date().toISOString();
  return {
    id: newId(),
    project_id: projectId,
    batch_id: null,
    status: 'queued',
    progress: 0,
    variables: JSON.stringify(variables),
    resolved: JSON.stringify(resolved),
    error_code: null,
    error_message: null,
    duration: null,
    width: null,
    height: null,
    idempotency_key: idempotency.idempotencyKey,
    request_hash: idempotency.requestHash,
    created_at: now,
    updated_at: now,
  };
}

/** Lists every problem a validation error contains (the error itself for a plain VidataError). */
export function problemList(error: VidataError): VidataError[] {
  return error instanceof VidataValidationError ? error.problems : [error];
}

function usedValues(
  template: Template,
  given: Record<string, unknown>,
  resolved: ResolvedValues,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const variable of template.variables) {
    const name = variable.Name;
    if (variable.kind === 'text' || variable.kind === 'map') {
      out[name] = resolved.texts[name] ?? '';
      continue;
    }
    const raw = given[name];
    const value = typeof raw === 'string' ? raw.trim() : '';
    out[name] = value === '' ? variable.DefaultValue : value;
  }
  return out;
}

export function toVidata(row: VidataRow): Vidata {
  return {
    id: row.id,
    projectId: row.project_id,
    batchId: row.batch_id ?? undefined,
    status: row.status,
    progress: Number(row.progress),
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : undefined,
    duration: row.duration ?? undefined,
    width: row.width ?? undefined,
    height: row.height ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
