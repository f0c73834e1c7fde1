/**
 * Row types of the database, shared by the SQLite and PostgreSQL dialects. Times are ISO 8601 UTC
 * strings so both engines store and sort them the same way; JSON columns are text for the same reason.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';

export interface ProjectTable {
  id: string;
  name: string;
  /** Absolute path of the project's template folder. */
  template_dir: string;
  /** sha256 of the API key, hex; the key itself is never stored. */
  key_hash: string;
  /** Id of the project's video template, as the public API's `Videos[].Id`. */
  video_id: string;
  player_color: string;
  /** Landing page URL pattern with `{videoslug}`; null means the built-in player page. */
  page_player_link: string | null;
  created_at: string;
  updated_at: string;
}

export interface UploadTable {
  /** The random name returned to the caller, with its extension; unique across projects. */
  filename: string;
  project_id: string;
  kind: 'image' | 'video';
  content_type: string;
  size: number;
  width: number;
  height: number;
  /** Seconds, for videos; null for images. */
  duration: number | null;
  created_at: string;
}

export type VidataStatus = 'queued' | 'rendering' | 'done' | 'failed';

export interface VidataTable {
  id: string;
  project_id: string;
  batch_id: string | null;
  status: VidataStatus;
  /** 0 to 100. */
  progress: number;
  /** JSON: the values as the caller sent them. */
  variables: string;
  /** JSON: the validated values with defaults filled in (`ResolvedValues`). */
  resolved: string;
  error_code: string | null;
  error_message: string | null;
  duration: number | null;
  width: number | null;
  height: number | null;
  idempotency_key: string | null;
  /** sha256 of the request body that came with `idempotency_key`. */
  request_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface BatchTable {
  id: string;
  project_id: string;
  created_at: string;
}

export type JobStatus = 'queued' | 'running' | 'failed';

/** One render job per Vidata, keyed by the Vidata's id. */
export interface JobTable {
  vidata_id: string;
  status: JobStatus;
  /** Starts so far, counting the one running now. */
  attempts: number;
  max_attempts: number;
  /** Not started before this time (ISO); moves forward after a failed attempt. */
  run_at: string;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface Database {
  projects: ProjectTable;
  uploads: UploadTable;
  vidatas: VidataTable;
  batches: BatchTable;
  jobs: JobTable;
}

export type Db = Kysely<Database>;
export type ProjectRow = Selectable<ProjectTable>;
export type UploadRow = Selectable<UploadTable>;
export type VidataRow = Selectable<VidataTable>;
export type NewVidata = Insertable<VidataTable>;
export type JobRow = Selectable<JobTable>;
