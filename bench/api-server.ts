/**
 * The API server of the bench: the real server (embedded SQLite, local files, in-process queue) on
 * 127.0.0.1, with renders paused, so that the measurement covers the API and not the encoder. A paused
 * render waits until it is cancelled. Prints `{"port": ..., "key": ...}` once it listens.
 *
 *   node --import tsx bench/api-server.ts <data folder>
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startServer } from '../src/api/server.ts';
import { prepareTextChecks } from '../src/service/text-check.ts';
import { loadConfig } from '../src/config.ts';
import { cancelledError } from '../src/engine/ffmpeg.ts';
import type { RenderRequest, RenderResult } from '../src/engine/types.ts';

const WELCOME = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../templates/welcome');
const dataDir = process.argv[2];
if (!dataDir) throw new Error('Usage: node --import tsx bench/api-server.ts <data folder>');

const config = loadConfig({
  ...process.env,
  HOST: '127.0.0.1',
  PORT: '0',
  VIDATA_DATA_DIR: dataDir,
  // The per-project limit (600 a minute by default) protects the queue from one runaway client. The
  // bench measures how fast the API responds, so it lifts the limit.
  VIDATA_RATE_LIMIT_PER_MINUTE: '100000000',
});

function pausedRender(request: RenderRequest): Promise<RenderResult> {
  return new Promise((_, reject) => {
    request.signal?.addEventListener('abort', () => reject(cancelledError()), { once: true });
  });
}

let key = '';
const server = await startServer({
  config,
  // Logs as `vidata serve` does (info, a line per request and per create, written synchronously),
  // to a file instead of stdout, which prints the port and key.
  logger: pino({ level: 'info' }, pino.destination({ dest: path.join(dataDir, 'server.log'), sync: true })),
  render: pausedRender,
  beforeStart: async (services) => {
    key = (await services.projects.create({ name: 'Bench', templateDir: WELCOME })).key;
  },
});
// The server loads templates and fonts in the background after it starts listening, and calls
// that arrive before then wait for it. The bench measures the server once warm, so it waits too.
for (const project of await server.services.projects.list()) {
  await prepareTextChecks(await server.services.projects.template(project));
}
process.stdout.write(`${JSON.stringify({ port: server.port, key })}\n`);
process.once('SIGTERM', () => {
  // Paused renders never finish; the process ends without waiting for them.
  process.exit(0);
});
