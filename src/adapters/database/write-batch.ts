/**
 * Group commit: the rows that callers ask to write during one turn of the event loop are written
 * in one transaction. On SQLite each commit appends to the write-ahead log with several system
 * calls, which cost 60 to 150 µs on this machine's disk, more than the rest of a create call's
 * queries together. Under load, tens of create calls arrive in one turn and share one commit.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

type Executor = Kysely<Database>;

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class WriteBatch<T> {
  private pending: Pending<T>[] = [];
  private scheduled = false;

  /**
   * `write` writes one item with the executor it is given: the database, or the transaction of a
   * group. It runs once per item, so its SQL text stays the same and its statement is reused.
   */
  constructor(
    private readonly db: Executor,
    private readonly write: (executor: Executor, item: T) => Promise<void>,
  ) {}

  /** Resolves once the item is committed; rejects with the error its own write raised. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // setImmediate runs after the I/O callbacks of this turn, so the requests read in the same
      // turn join the group.
      setImmediate(() => {
        this.scheduled = false;
        const group = this.pending;
        this.pending = [];
        void this.flush(group);
      });
    });
  }

  private async flush(group: Pending<T>[]): Promise<void> {
    if (group.length > 1) {
      try {
        await this.db.transaction().execute(async (trx) => {
          for (const { item } of group) await this.write(trx, item);
        });
        for (const { resolve } of group) resolve();
        return;
      } catch {
        // One item's failure (an idempotency key taken meanwhile) rolls back the whole group.
        // Each item is then written on its own, so only the failing one gets its error.
      }
    }
    for (const { item, resolve, reject } of group) {
      try {
        // A write may be several statements (a Vidata and its job): alone, it still commits whole.
        await this.db.transaction().execute((trx) => this.write(trx, item));
        resolve();
      } catch (error) {
        reject(error);
      }
    }
  }
}

/** SQL of an insert per dialect, table and column list (see insertRow). */
const insertSql = new WeakMap<object, Map<string, string>>();

/**
 * Inserts one row as `executor.insertInto(table).values(row)` would, but builds and compiles the
 * statement once per dialect, table and column list: Kysely's building and compiling cost more
 * than SQLite's own insert on the API's busiest path. The values are plain strings, numbers and
 * nulls, which Kysely passes to the driver unchanged as well.
 */
export async function insertRow<T extends keyof Database>(
  executor: Executor,
  table: T,
  row: Record<string, string | number | null>,
): Promise<void> {
  const adapter = executor.getExecutor().adapter;
  let byShape = insertSql.get(adapter);
  if (byShape === undefined) {
    byShape = new Map();
    insertSql.set(adapter, byShape);
  }
  const columns = Object.keys(row);
  const shape = `${table}(${columns.join(',')})`;
  let text = byShape.get(shape);
  if (text === undefined) {
    const compiled = executor
      .insertInto(table)
      .values(row as never)
      .compile();
    // The reuse relies on Kysely binding the values in the row's key order; check it once.
    const values = Object.values(row);
    if (
      !compiled.parameters.every((value, i) => value === values[i]) ||
      compiled.parameters.length !== values.length
    ) {
      throw new Error(`Kysely bound the values of ${shape} in another order than the row's keys.`);
    }
    text = compiled.sql;
    byShape.set(shape, text);
  }
  await executor.executeQuery(CompiledQuery.raw(text, Object.values(row)));
}
