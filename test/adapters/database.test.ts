import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/adapters/database/connect.ts';
import { migrateToNothing } from '../../src/adapters/database/migrations.ts';
import type { Db } from '../../src/adapters/database/schema.ts';
import { DATABASES, type TestDatabase } from './databases.ts';

for (const makeDatabase of DATABASES) {
  describe(`database on ${makeDatabase === DATABASES[0] ? 'SQLite' : 'PostgreSQL'}`, () => {
    let database: TestDatabase;
    let db: Db;
    before(async () => {
      database = await makeDatabase();
      db = await openDatabase(database.options);
    });
    after(async () => {
      await db?.destroy();
      await database?.drop();
    });

    // PostgreSQL lists the tables of every schema; keep this test's own.
    const tableNames = async (from: Db) =>
      (await from.introspection.getTables())
        .filter((t) => database.schema === undefined || t.schema === database.schema)
        .map((t) => t.name);

    it('creates every table', async () => {
      const tables = (await tableNames(db)).sort();
      for (const table of ['batches', 'jobs', 'projects', 'uploads', 'vidatas']) {
        assert.ok(tables.includes(table), `${table} in ${tables.join(', ')}`);
      }
    });

    it('runs the migrations again without change', async () => {
      const again = await openDatabase(database.options);
      await again.destroy();
    });

    it('stores and reads back every column type', async () => {
      const now = new Date().toISOString();
      await db
        .insertInto('projects')
        .values({
          id: 'p1',
          name: 'Projet é',
          template_dir: '/t',
          key_hash: 'h1',
          video_id: 'v1',
          player_color: '#000000',
          page_player_link: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await db
        .insertInto('uploads')
        .values({
          filename: 'a.png',
          project_id: 'p1',
          kind: 'image',
          content_type: 'image/png',
          size: 3_000_000_000,
          width: 10,
          height: 20,
          duration: 1.25,
          created_at: now,
        })
        .execute();
      const upload = await db.selectFrom('uploads').selectAll().executeTakeFirstOrThrow();
      assert.equal(Number(upload.size), 3_000_000_000);
      assert.equal(upload.duration, 1.25);
      const project = await db.selectFrom('projects').selectAll().executeTakeFirstOrThrow();
      assert.equal(project.name, 'Projet é');
      assert.equal(project.page_player_link, null);
    });

    it('keeps one idempotency key per project, any number of nulls', async () => {
      const now = new Date().toISOString();
      const row = (id: string, key: string | null) => ({
        id,
        project_id: 'p1',
        batch_id: null,
        status: 'queued' as const,
        progress: 0,
        variables: '{}',
        resolved: '{}',
        error_code: null,
        error_message: null,
        duration: null,
        width: null,
        height: null,
        idempotency_key: key,
        request_hash: null,
        created_at: now,
        updated_at: now,
      });
      await db
        .insertInto('vidatas')
        .values([row('a', null), row('b', null), row('c', 'k')])
        .execute();
      await assert.rejects(db.insertInto('vidatas').values(row('d', 'k')).execute());
    });

    it('deletes a project with its rows', async () => {
      await db.deleteFrom('projects').where('id', '=', 'p1').execute();
      const left = await db
        .selectFrom('vidatas')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(left.n), 0);
    });

    it('rolls back every migration', async () => {
      const other = await openDatabase(database.options);
      await migrateToNothing(other as never, database.schema);
      const tables = await tableNames(other);
      await other.destroy();
      for (const table of ['batches', 'jobs', 'projects', 'uploads', 'vidatas'])
        assert.ok(!tables.includes(table));
    });
  });
}
