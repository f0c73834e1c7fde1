// Copies the SQLite write-ahead log into the database file on a thread of its own. better-sqlite3
// runs every statement on the calling thread, and a checkpoint syncs both files to disk: run by a
// commit on the main thread, it stopped the API for 5 to 50 ms every few hundred writes. Plain
// JavaScript, because a worker thread does not inherit the TypeScript loader of the process.
import { clearInterval, setInterval } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

/** @type {{ file: string, intervalMs: number, closed: Int32Array }} */
const { file, intervalMs, closed } = workerData;
const db = new SQLite(file);
// The main connection may hold the write lock for a moment; waiting is harmless here.
db.pragma('busy_timeout = 5000');

function checkpoint() {
  try {
    // PASSIVE copies what it can without waiting for readers or blocking writers.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
}

const timer = setInterval(checkpoint, intervalMs);

// The main thread waits on `closed` after asking this thread to close, so that its own close,
// then the last one, copies the rest of the log and removes it before the files are touched.
parentPort?.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  Atomics.store(closed, 0, 1);
  Atomics.notify(closed, 0);
  parentPort?.close();
});
