/**
 * Schema migrations, written with Kysely's schema builder in column types that SQLite and
 * PostgreSQL both accept, so the embedded default and the scale-out database share one history.
 * A migration, once released, is never edited: add a new one.
 */
import { Migrator, NO_MIGRATIONS, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { VidataError } from '../../errors.ts';

const migrations: Record<string, Migration> = {
  '0001-initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('projects')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('template_dir', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('video_id', 'text', (c) => c.notNull().unique())
        .addColumn('player_color', 'text', (c) => c.notNull())
        .addColumn('page_player_link', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('uploads')
        .addColumn('filename', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('duration', 'double precision')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('uploads_project').on('uploads').column('project_id').execute();

      await db.schema
        .createTable('batches')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('vidatas')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('batch_id', 'text', (c) => c.references('batches.id').onDelete('set null'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('variables', 'text', (c) => c.notNull())
        .addColumn('resolved', 'text', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('duration', 'double precision')
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('idempotency_key', 'text')
        .addColumn('request_hash', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('vidatas_project').on('vidatas').column('project_id').execute();
      await db.schema.createIndex('vidatas_batch').on('vidatas').column('batch_id').execute();
      // Both engines treat NULLs as distinct in a unique index, so only keyed requests are constrained.
      await db.schema
        .createIndex('vidatas_idempotency')
        .on('vidatas')
        .columns(['project_id', 'idempotency_key'])
        .unique()
        .execute();

      await db.schema
        .createTable('jobs')
        .addColumn('vidata_id', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('run_at', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_ready').on('jobs').columns(['status', 'run_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['jobs', 'vidatas', 'batches', 'uploads', 'projects']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  },
};

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};

/**
 * Creates the migrator. With a PostgreSQL schema, Kysely's own bookkeeping tables are put in that
 * schema too: otherwise it finds another schema's tables and skips creating its own.
 */
function migrator(db: Kysely<unknown>, schema: string | undefined): Migrator {
  return new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
}

/** Brings the schema to the latest version; throws INTERNAL naming the migration that failed. */
export async function migrateToLatest(db: Kysely<unknown>, schema?: string): Promise<void> {
  const { error, results } = await migrator(db, schema).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const what = failed ? `Database migration ${failed} failed` : 'Database migrations could not start';
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw new VidataError('INTERNAL', `${what}: ${reason}`, { cause: error });
  }
}

/** Undoes every migration (used by tests that share a PostgreSQL database). */
export async function migrateToNothing(db: Kysely<unknown>, schema?: string): Promise<void> {
  const { error } = await migrator(db, schema).migrateTo(NO_MIGRATIONS);
  if (error) throw new VidataError('INTERNAL', 'Database rollback failed.', { cause: error });
}
