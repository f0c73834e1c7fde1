/**
 * The API part of the bench: `POST /v1/vidata` under 100 concurrent clients (autocannon), against
 * the real server started by api-server.ts in its own process on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export interface ApiFigures {
  connections: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  created: number;
  failed: number;
}

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'api-server.ts');

export async function benchApi(root: string, seconds = 10, connections = 100): Promise<ApiFigures> {
  const dataDir = await mkdtemp(path.join(root, 'api-'));
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const first = await new Promise<string>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`The API server exited with code ${code}.`)));
      createInterface({ input: child.stdout }).once('line', resolve);
    });
    const { port, key } = JSON.parse(first) as { port: number; key: string };
    let n = 0;
    const options: autocannon.Options & { warmup: { connections: number; duration: number } } = {
      url: `http://127.0.0.1:${port}`,
      connections,
      duration: seconds,
      // The first seconds run code V8 has not optimized yet; 3 s of the same load first, not
      // counted, make the figures those of a server that has been up for a while.
      warmup: { connections, duration: 3 },
      requests: [
        {
          method: 'POST',
          path: '/v1/vidata',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          // Distinct values for every Vidata, as real clients send.
          setupRequest: (request) => {
            n++;
            return {
              ...request,
              body: JSON.stringify({
                variables: { TXT_NAME: `Client ${n}`, TXT_USEREMAIL: `client${n}@example.org` },
              }),
            };
          },
        },
      ],
    };
    const result = await autocannon(options);
    return {
      connections,
      seconds,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      created: result['2xx'],
      failed: result.non2xx + result.errors + result.timeouts,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) =>
      child.exitCode === null ? child.once('exit', resolve) : resolve(undefined),
    );
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function apiTable(api: ApiFigures): string {
  return [
    '| API | clients | requests per second | latency p50 | latency p99 | created (2xx) | other answers or errors |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| POST /v1/vidata, renders paused | ${api.connections} | ${Math.round(api.requestsPerSecond)} | ${api.p50} ms | ${api.p99} ms | ${api.created} | ${api.failed} |`,
  ].join('\n');
}
