/** Measuring tools of the bench: CPU time of this process and its children, resident memory, statistics. */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's times: 100 on Linux for every architecture in use. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/**
 * CPU seconds used so far by the processes `pids` (this one by default) and by their children that
 * have ended (ffmpeg runs), from /proc/<pid>/stat (fields utime, stime, cutime, cstime). Render
 * workers that are still running must be listed, because their time counts in this process only
 * once they exit.
 */
export function cpuSeconds(pids: readonly number[] = [process.pid]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; the fields after it are separated by single spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  }
  return ticks / TICKS_PER_SECOND;
}

/** Resident bytes of a process and, apart, of all its descendants (the ffmpeg runs), read from /proc. */
export function treeResidentBytes(pid: number = process.pid): {
  self: number;
  children: number;
  largestChild: number;
} {
  const resident = { self: 0, children: 0, largestChild: 0 };
  const stack = [pid];
  while (stack.length > 0) {
    const current = stack.pop() as number;
    try {
      const statm = readFileSync(`/proc/${current}/statm`, 'utf8').split(' ');
      const bytes = Number(statm[1]) * PAGE_BYTES;
      if (current === pid) resident.self += bytes;
      else {
        resident.children += bytes;
        resident.largestChild = Math.max(resident.largestChild, bytes);
      }
      for (const task of readdirSync(`/proc/${current}/task`)) {
        const children = readFileSync(`/proc/${current}/task/${task}/children`, 'utf8').trim();
        if (children) stack.push(...children.split(' ').map(Number));
      }
    } catch {
      // The process ended between two reads.
    }
  }
  return resident;
}

/**
 * Samples the resident memory of process trees every `intervalMs` and keeps the peaks: of a whole
 * tree, of its root process alone, of the root's descendants together, and of the largest single
 * descendant. The trees are this process's by default, or those of the processes `roots` returns
 * at each sample (render workers), and then every peak is that of one worker.
 */
export class PeakMemory {
  total = 0;
  self = 0;
  children = 0;
  largestChild = 0;
  readonly #timer: NodeJS.Timeout;
  readonly #roots: () => readonly number[];

  constructor(intervalMs = 20, roots: () => readonly number[] = () => [process.pid]) {
    this.#roots = roots;
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  stop(): { total: number; self: number; children: number; largestChild: number } {
    clearInterval(this.#timer);
    this.#sample();
    return { total: this.total, self: this.self, children: this.children, largestChild: this.largestChild };
  }

  #sample(): void {
    for (const root of this.#roots()) {
      const { self, children, largestChild } = treeResidentBytes(root);
      this.total = Math.max(this.total, self + children);
      this.self = Math.max(this.self, self);
      this.children = Math.max(this.children, children);
      this.largestChild = Math.max(this.largestChild, largestChild);
    }
  }
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}
