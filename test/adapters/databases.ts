/** The databases every adapter test runs against: a SQLite file and a PostgreSQL schema of its own. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseOptions } from '../../src/adapters/database/connect.ts';

export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  name: string;
  options: DatabaseOptions;
  /** The PostgreSQL schema; undefined for SQLite. */
  schema: string | undefined;
  /** Removes the SQLite folder or drops the PostgreSQL schema. */
  drop(): Promise<void>;
}

export async function sqliteDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vidata-db-'));
  return {
    name: 'SQLite',
    schema: undefined,
    options: { kind: 'sqlite', file: path.join(dir, 'vidata.sqlite') },
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function postgresDatabase(): Promise<TestDatabase> {
  const schema = `vidata_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    name: 'PostgreSQL',
    schema,
    options: { kind: 'postgres', connectionString: POSTGRES_URL, searchPath: schema },
    async drop() {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

export const DATABASES = [sqliteDatabase, postgresDatabase];
