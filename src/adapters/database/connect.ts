/**
 * Opening the database: SQLite in the data folder by default, or PostgreSQL from a connection
 * string. Both run the same migrations and the same queries.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrations.ts';
import type { Database, Db } from './schema.ts';

export type DatabaseOptions =
  | { kind: 'sqlite'; file: string }
  /** `searchPath` puts every table in that schema (tests use a schema of their own). */
  | { kind: 'postgres'; connectionString: string; searchPath?: string };

/** Opens the database and brings its schema to the latest migration. */
export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  const db = new Kysely<Database>({ dialect: createDialect(options) });
  try {
    await migrateToLatest(
      db as Kysely<unknown>,
      options.kind === 'postgres' ? options.searchPath : undefined,
    );
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

function createDialect(options: DatabaseOptions): SqliteDialect | PostgresDialect {
  if (options.kind === 'sqlite') {
    mkdirSync(path.dirname(options.file), { recursive: true });
    return new SqliteDialect({
      database: () => {
        const sqlite = new SQLite(options.file);
        // WAL lets the API read while a worker writes progress; foreign keys are off by default in SQLite.
        sqlite.pragma('journal_mode = WAL');
        sqlite.pragma('foreign_keys = ON');
        sqlite.pragma('busy_timeout = 5000');
        return Promise.resolve(sqlite);
      },
    });
  }
  if (options.searchPath !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.searchPath)) {
    throw new Error(`searchPath "${options.searchPath}" must be a plain lower-case schema name`);
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  return new PostgresDialect({ pool });
}
