/** Starting and stopping the whole server: services, render workers, HTTP listener. */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { openServices, type Services } from '../service/context.ts';
import { prepareTextChecks } from '../service/text-check.ts';
import type { RenderFunction } from '../service/render-job.ts';
import { buildApp } from './app.ts';
import type { ZodApp } from './types.ts';

export interface RunningServer {
  app: ZodApp;
  services: Services;
  /** The listening port (useful when PORT is 0). */
  port: number;
  /** Stops taking requests, returns running renders to the queue and closes the database. */
  close(): Promise<void>;
}

export interface StartServerOptions {
  config: Config;
  logger: Logger;
  render: RenderFunction;
  /** Runs after the services open and before the workers start (the demo project is made here). */
  beforeStart?: (services: Services) => Promise<void>;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const services = await openServices({ config, logger });
  try {
    await options.beforeStart?.(services);
    await services.startWorkers(options.render);
    const app = await buildApp({ services, logger });
    await app.listen({ host: config.server.host, port: config.server.port });
    const port = (app.server.address() as AddressInfo).port;
    logger.info(
      { host: config.server.host, port, concurrency: config.server.renderConcurrency },
      'server started',
    );
    void warmUp(services, logger);
    return {
      app,
      services,
      port,
      async close() {
        await app.close();
        await services.close();
        logger.info('server stopped');
      },
    };
  } catch (error) {
    await services.close();
    throw error;
  }
}

/**
 * Loads every project's template and fonts in the background, so the first create call does not
 * wait for them (about half a second for the shipped fonts). A failure is logged; the create call
 * then reports the same problem to its caller.
 */
async function warmUp(services: Services, logger: Logger): Promise<void> {
  try {
    for (const project of await services.projects.list()) {
      try {
        await prepareTextChecks(await services.projects.template(project));
      } catch (error) {
        logger.warn({ err: error, projectId: project.id }, 'template warm-up failed');
      }
    }
  } catch (error) {
    logger.warn({ err: error }, 'template warm-up failed');
  }
}
