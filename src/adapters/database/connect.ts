/**
 * Opening the database: SQLite in the data folder by default, or PostgreSQL from a connection
 * string. Both run the same migrations and the same queries.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
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
        // In WAL mode, NORMAL syncs the log at checkpoints instead of at every commit: the database
        // stays consistent after a crash, and a power cut can lose only the last commits. A commit
        // then costs microseconds instead of an fsync, which bounded the create calls per second.
        sqlite.pragma('synchronous = NORMAL');
        sqlite.pragma('foreign_keys = ON');
        sqlite.pragma('busy_timeout = 5000');
        const checkpointer = startCheckpointer(sqlite, options.file);
        return Promise.resolve(
          withStatementCache(sqlite, () => {
            checkpointer?.close();
            sqlite.close();
          }),
        );
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

/** Statements kept per connection; the application issues far fewer distinct queries than this. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every query again, and preparing took a third of the SQLite time of a create
 * call. A prepared statement can be run again with new parameters, so each SQL text is prepared
 * once. Kysely runs one query at a time on a SQLite connection, so no statement is run while
 * another run of it is still being read. Queries whose text varies (`in (?, ?, ...)` lists of
 * different lengths) could fill the cache; past the bound, the oldest statement is dropped.
 */
function withStatementCache(sqlite: SQLite.Database, close: () => void): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close,
    prepare: (sql) => {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) {
          statements.delete(statements.keys().next().value as string);
        }
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/** How often the checkpoint thread copies the write-ahead log into the database file. */
const CHECKPOINT_INTERVAL_MS = 1000;

/** How long closing waits for the checkpoint thread to close its connection. */
const CHECKPOINTER_CLOSE_TIMEOUT_MS = 5000;

interface Checkpointer {
  /** Closes the thread's connection and waits for it, so the caller's close is the last one. */
  close(): void;
}

/**
 * Moves the write-ahead log's checkpoints to a worker thread (see checkpoint-worker.js) and turns
 * off the ones that commits on this thread would run. If the thread cannot start or fails, the
 * connection checkpoints by itself again, as SQLite does by default. An in-memory database has no
 * log to copy.
 */
function startCheckpointer(sqlite: SQLite.Database, file: string): Checkpointer | undefined {
  if (file === ':memory:' || file === '') return undefined;
  const closed = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
    workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS, closed },
  });
  // The thread must not keep a finished process alive.
  worker.unref();
  sqlite.pragma('wal_autocheckpoint = 0');
  let running = true;
  const fallBack = () => {
    running = false;
    if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('error', fallBack);
  // After a close, the connection is closed too and nothing changes.
  worker.on('exit', fallBack);
  worker.on('message', (message: { error?: string }) => {
    if (message.error !== undefined) fallBack();
  });
  return {
    close: () => {
      if (!running) return;
      worker.postMessage('close');
      // Closing happens once, at shutdown or at the end of a test: blocking this thread for the
      // few milliseconds the other one needs is what makes the following close the last one.
      Atomics.wait(closed, 0, 0, CHECKPOINTER_CLOSE_TIMEOUT_MS);
    },
  };
}
