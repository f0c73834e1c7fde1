/**
 * Projects: a name, a video template, a player colour and one API key. The key is returned only
 * when it is made (create, rotate); the database keeps its hash.
 */
import path from 'node:path';
import { CompiledQuery } from 'kysely';
import { VidataError } from '../errors.ts';
import { loadTemplate, type Template } from '../template/load.ts';
import type { Db, ProjectRow } from '../adapters/database/schema.ts';
import { hashApiKey, newApiKey, newId } from './ids.ts';

export interface Project {
  id: string;
  name: string;
  templateDir: string;
  videoId: string;
  playerColor: string;
  /** Landing page URL pattern with `{videoslug}`; undefined means the built-in player page. */
  pagePlayerLink: string | undefined;
  createdAt: string;
  updatedAt: string;
}

export interface NewProject {
  name: string;
  templateDir: string;
  playerColor?: string;
  pagePlayerLink?: string;
}

export const DEFAULT_PLAYER_COLOR = '#2f6fed';
const KNOWN_KEY_TTL_MS = 1000;
const MAX_KNOWN_KEYS = 10_000;
const COLOR = /^#[0-9a-fA-F]{6}$/;

export class ProjectService {
  private readonly db: Db;
  private readonly templates = new Map<string, Promise<Template>>();
  private byKeyHashSql: string | undefined;
  /** Projects of the API keys seen in the last KNOWN_KEY_TTL_MS, by key hash. */
  private readonly knownKeys = new Map<string, { project: Project; until: number }>();

  constructor(db: Db) {
    this.db = db;
  }

  /** Creates a project after loading its template, so a broken template is reported at once. */
  async create(input: NewProject): Promise<{ project: Project; key: string }> {
    const name = input.name.trim();
    if (name === '')
      throw new VidataError('VALIDATION_FAILED', 'The project name is empty.', { field: 'name' });
    const playerColor = input.playerColor ?? DEFAULT_PLAYER_COLOR;
    if (!COLOR.test(playerColor)) {
      throw new VidataError('VALIDATION_FAILED', `Player colour "${playerColor}" must look like #1a2b3c.`, {
        field: 'playerColor',
      });
    }
    if (input.pagePlayerLink !== undefined && !input.pagePlayerLink.includes('{videoslug}')) {
      throw new VidataError('VALIDATION_FAILED', 'PagePlayerLink must contain {videoslug}.', {
        field: 'pagePlayerLink',
      });
    }
    const templateDir = path.resolve(input.templateDir);
    await loadTemplate(templateDir);

    const key = newApiKey();
    const now = new Date().toISOString();
    const row: ProjectRow = {
      id: newId(),
      name,
      template_dir: templateDir,
      key_hash: hashApiKey(key),
      video_id: newId(),
      player_color: playerColor,
      page_player_link: input.pagePlayerLink ?? null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('projects').values(row).execute();
    return { project: toProject(row), key };
  }

  async list(): Promise<Project[]> {
    const rows = await this.db.selectFrom('projects').selectAll().orderBy('created_at').execute();
    return rows.map(toProject);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('projects')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Replaces the project's key; the old key stops working at once. */
  async rotateKey(projectId: string): Promise<{ project: Project; key: string }> {
    // The old key must stop working now, not when its remembered project expires.
    this.knownKeys.clear();
    const key = newApiKey();
    const result = await this.db
      .updateTable('projects')
      .set({ key_hash: hashApiKey(key), updated_at: new Date().toISOString() })
      .where('id', '=', projectId)
      .executeTakeFirst();
    if (result.numUpdatedRows !== 1n) {
      throw new VidataError('NOT_FOUND', `Project "${projectId}" not found.`, { field: 'projectId' });
    }
    return { project: await this.get(projectId), key };
  }

  /**
   * Returns the project of an API key; throws UNAUTHORIZED for an unknown key. A valid key's
   * project is remembered for KNOWN_KEY_TTL_MS: the lookup was a tenth of a create call's CPU time.
   * NOTE: a key rotated by another process (`vidata projects rotate-key`) keeps opening its
   * project in this one for up to that long. A rotation in this process takes effect at once.
   */
  async authenticate(key: string): Promise<Project> {
    const hash = hashApiKey(key);
    const now = Date.now();
    const known = this.knownKeys.get(hash);
    if (known !== undefined && known.until > now) return known.project;
    // Its SQL is built and compiled once, as Kysely's building and compiling cost more than
    // SQLite's lookup.
    this.byKeyHashSql ??= this.db.selectFrom('projects').selectAll().where('key_hash', '=', '').compile().sql;
    const result = await this.db.executeQuery<ProjectRow>(CompiledQuery.raw(this.byKeyHashSql, [hash]));
    const row = result.rows[0];
    if (!row) {
      throw new VidataError(
        'UNAUTHORIZED',
        'The API key is not valid: use the key printed when the project was created or when its key ' +
          'was last rotated (`vidata projects rotate-key <projectId>`).',
      );
    }
    const project = toProject(row);
    if (this.knownKeys.size >= MAX_KNOWN_KEYS) this.knownKeys.clear();
    this.knownKeys.set(hash, { project, until: now + KNOWN_KEY_TTL_MS });
    return project;
  }

  async get(projectId: string): Promise<Project> {
    const row = await this.db
      .selectFrom('projects')
      .selectAll()
      .where('id', '=', projectId)
      .executeTakeFirst();
    if (!row) throw new VidataError('NOT_FOUND', `Project "${projectId}" not found.`, { field: 'projectId' });
    return toProject(row);
  }

  /**
   * Returns the project's loaded template. Templates are loaded once per process.
   * NOTE: a template edited on disk is picked up only after a restart.
   */
  template(project: Project): Promise<Template> {
    let loading = this.templates.get(project.templateDir);
    if (!loading) {
      loading = loadTemplate(project.templateDir);
      this.templates.set(project.templateDir, loading);
      // A failed load is not kept, so fixing the template folder does not need a restart.
      loading.catch(() => this.templates.delete(project.templateDir));
    }
    return loading;
  }
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    templateDir: row.template_dir,
    videoId: row.video_id,
    playerColor: row.player_color,
    pagePlayerLink: row.page_player_link ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
