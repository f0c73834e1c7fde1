/**
 * The SQLite write path: checkpoints run on their own thread, and writes asked for together are
 * committed together, with a failing write reported to its own caller only.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/adapters/database/connect.ts';
import type { Db } from '../../src/adapters/database/schema.ts';
import { WriteBatch } from '../../src/adapters/database/write-batch.ts';

describe('SQLite writes', () => {
  let dir: string;
  let file: string;
  let db: Db;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vidata-sqlite-'));
    file = path.join(dir, 'vidata.sqlite');
    db = await openDatabase({ kind: 'sqlite', file });
  });

  after(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('copies the write-ahead log into the database file from the checkpoint thread', async () => {
    await sql`create table filler (id integer primary key, body text not null)`.execute(db);
    // Let the thread copy the migrations' pages first, so the size below counts only this test's rows.
    await sleep(1500);
    const before = (await stat(file)).size;
    const body = 'x'.repeat(2000);
    for (let i = 0; i < 400; i++) await sql`insert into filler (body) values (${body})`.execute(db);
    // About 800 KB of rows: without the thread they stay in the log, since commits no longer checkpoint.
    assert.ok((await stat(`${file}-wal`)).size > 700_000);
    assert.ok((await stat(file)).size - before < 100_000, 'the commits copied the log themselves');
    await sleep(2500);
    assert.ok((await stat(file)).size - before > 700_000, 'the checkpoint thread did not copy the log');
  });

  it('fails only the conflicting write of a group', async () => {
    await sql`create table items (name text primary key)`.execute(db);
    const transactions: number[] = [];
    const batch = new WriteBatch<string>(db, async (executor, name) => {
      transactions.push(executor.isTransaction ? 1 : 0);
      await executor
        .insertInto('items' as never)
        .values({ name })
        .execute();
    });
    await batch.add('taken');
    transactions.length = 0;
    const results = await Promise.allSettled(['a', 'b', 'taken', 'c'].map((name) => batch.add(name)));
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    const rejected = results[2] as PromiseRejectedResult;
    assert.match(String(rejected.reason), /UNIQUE/);
    // The group was tried in one transaction, rolled back by the taken name, then written row by row.
    assert.ok(transactions.slice(0, 3).every((inTransaction) => inTransaction === 1));
    const rows = await sql<{ name: string }>`select name from items order by name`.execute(db);
    assert.deepEqual(
      rows.rows.map((row) => row.name),
      ['a', 'b', 'c', 'taken'],
    );
  });

  it('writes a group in one transaction when every write succeeds', async () => {
    await sql`create table others (name text primary key)`.execute(db);
    const executors = new Set<unknown>();
    const batch = new WriteBatch<string>(db, async (executor, name) => {
      executors.add(executor);
      await executor
        .insertInto('others' as never)
        .values({ name })
        .execute();
    });
    await Promise.all(['x', 'y', 'z'].map((name) => batch.add(name)));
    assert.equal(executors.size, 1);
    assert.ok([...executors].every((executor) => (executor as Db).isTransaction));
  });
});
