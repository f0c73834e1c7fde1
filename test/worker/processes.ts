/** Process helpers of the worker tests, read from /proc. */
import { readdirSync, readFileSync } from 'node:fs';

/** Returns the process ids of the children of a process (the ffmpeg runs of a worker). */
export function childPids(pid: number): number[] {
  const pids: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (children) pids.push(...children.split(' ').map(Number));
  }
  return pids;
}
