/**
 * The private folder of one render. It is made inside the caller's `workDir` and removed whether the
 * render succeeds, fails or is cancelled; before removing it, every process still writing into it is
 * stopped and awaited, so no file appears in it after the removal.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Workspace {
  /** Absolute path of the private folder. */
  dir: string;
  /** Aborted when the caller cancels or when the render fails; every process of the render listens to it. */
  signal: AbortSignal;
  /** Returns a path inside the folder. */
  file(name: string): string;
  /** Registers a task that runs beside the main flow; it is awaited before the folder is removed. */
  track<T>(task: Promise<T>): Promise<T>;
}

/** Runs `work` in a fresh private folder under `parent` and removes the folder afterwards. */
export async function withWorkspace<T>(
  parent: string | undefined,
  callerSignal: AbortSignal | undefined,
  work: (workspace: Workspace) => Promise<T>,
): Promise<T> {
  const base = parent ?? tmpdir();
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(path.join(base, 'vidata-render-'));
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) forwardAbort();
  else callerSignal?.addEventListener('abort', forwardAbort, { once: true });

  const tasks: Promise<unknown>[] = [];
  const workspace: Workspace = {
    dir,
    signal: controller.signal,
    file: (name) => path.join(dir, name),
    track: (task) => {
      tasks.push(task);
      // The task's failure is reported by whoever awaits it; this handler only keeps an early
      // failure from being reported as an unhandled rejection while the main flow is busy.
      task.catch(() => undefined);
      return task;
    },
  };

  try {
    return await work(workspace);
  } catch (error) {
    // Stop the processes still running beside the failed step.
    controller.abort();
    throw error;
  } finally {
    callerSignal?.removeEventListener('abort', forwardAbort);
    await Promise.allSettled(tasks);
    // A write that was not tracked (an image still being saved when a sibling step failed) can add
    // a file while the folder is being emptied; rm then fails with ENOTEMPTY and is tried again.
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  }
}

/**
 * Moves a finished file to `destination`. The file appears there complete or not at all: across
 * file systems it is copied beside the destination first, then renamed over it.
 */
export async function moveFile(source: string, destination: string): Promise<void> {
  try {
    await rename(source, destination);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
  }
  const partial = `${destination}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await copyFile(source, partial);
    await rename(partial, destination);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
