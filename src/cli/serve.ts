/**
 * `vidata serve`: the API server with the embedded default (SQLite, local files, the database render
 * queue, renders run by VIDATA_RENDER_CONCURRENCY worker processes). On its first start with an empty data folder it creates a demo project on the welcome
 * template and prints its id, its key (shown this once) and a curl command to try it.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { pino } from 'pino';
import { startServer } from '../api/server.ts';
import { loadConfig } from '../config.ts';
import { isVidataError } from '../errors.ts';
import type { Services } from '../service/context.ts';
import type { Project } from '../service/projects.ts';
import { RenderWorkerPool } from '../worker/pool.ts';

const DEMO_TEMPLATE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates/welcome');

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Start the API server (settings come from the environment; see docs/api.md).')
    .action(async () => {
      const config = loadConfig();
      const logger = pino({ level: config.server.logLevel });
      const firstStart = isEmptyFolder(config.server.dataDir);
      let demo: { project: Project; key: string; variables: Record<string, string> } | undefined;

      const workers = new RenderWorkerPool({
        size: config.server.renderConcurrency,
        settings: { maps: config.maps, mapsCacheDir: path.join(config.server.dataDir, 'cache', 'maps') },
        logger,
      });
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        await workers.start();
        server = await startServer({
          config,
          logger,
          render: workers.render,
          beforeStart: async (services) => {
            if ((await services.projects.count()) > 0) return;
            if (!firstStart) {
              logger.warn('no project yet: create one with vidata projects create');
              return;
            }
            try {
              demo = await createDemoProject(services);
            } catch (error) {
              // The API is useful without the demo, so a broken demo template does not stop the server.
              if (!isVidataError(error)) throw error;
              logger.error({ err: error, template: DEMO_TEMPLATE }, 'demo project not created');
            }
          },
        });
      } catch (error) {
        await workers.close();
        throw error;
      }
      if (demo) process.stdout.write(demoInstructions(demo, server.port));

      const stop = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        // The server stops first: its queue aborts the running renders and waits for them.
        server
          .close()
          .then(() => workers.close())
          .then(
            () => process.exit(0),
            (error: unknown) => {
              logger.error({ err: error }, 'shutdown failed');
              process.exit(1);
            },
          );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}

function isEmptyFolder(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

async function createDemoProject(
  services: Services,
): Promise<{ project: Project; key: string; variables: Record<string, string> }> {
  const { project, key } = await services.projects.create({ name: 'Demo', templateDir: DEMO_TEMPLATE });
  const template = await services.projects.template(project);
  // The example values the template declares make a request that passes validation as printed.
  const variables: Record<string, string> = {};
  for (const variable of template.variables) {
    if ((variable.kind === 'text' || variable.kind === 'map') && variable.ExampleValue !== undefined)
      variables[variable.Name] = variable.ExampleValue;
  }
  variables.TXT_USEREMAIL ??= 'you@example.org';
  return { project, key, variables };
}

function demoInstructions(
  demo: { project: Project; key: string; variables: Record<string, string> },
  port: number,
): string {
  const base = `http://127.0.0.1:${port}`;
  const body = JSON.stringify({ key: demo.key, variables: demo.variables });
  return [
    '',
    'Demo project created on templates/welcome. The key is shown only this once:',
    `  project id: ${demo.project.id}`,
    `  API key:    ${demo.key}`,
    '',
    'Create a Vidata:',
    `  curl -X POST ${base}/v1/vidata -H 'Content-Type: application/json' -d '${body.replaceAll("'", "'\\''")}'`,
    'Then follow it (replace VIDATA_ID with the VidataId returned):',
    `  curl '${base}/v1/vidata/VIDATA_ID?vkey=${demo.key}'`,
    `API reference: ${base}/docs`,
    '',
  ].join('\n');
}
