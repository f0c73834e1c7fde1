/**
 * The Fastify application: plugins, body parsing, error handling, OpenAPI and the routes. It
 * takes ready services, so tests build it around a real database and a stand-in render.
 */
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Services } from '../service/context.ts';
import { registerLenientJson } from './body-parser.ts';
import { registerErrorHandlers } from './error-handler.ts';
import { registerBatchRoutes } from './routes/batches.ts';
import { registerMediaRoutes } from './routes/media.ts';
import { registerPlayerRoutes } from './routes/player.ts';
import { registerProjectRoutes } from './routes/projects.ts';
import { registerUploadRoutes } from './routes/uploads.ts';
import { registerVidataRoutes } from './routes/vidatas.ts';
import type { ZodApp } from './types.ts';

export interface BuildAppOptions {
  services: Services;
  /** The pino logger of the process; requests log through a child of it. */
  logger: FastifyBaseLogger;
}

export async function buildApp(options: BuildAppOptions): Promise<ZodApp> {
  const { services } = options;
  const limits = services.config.server;
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: limits.maxBodyBytes,
    // Query strings and headers never carry the key into logs: only method, path and status are logged.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandlers(app);
  registerLenientJson(app, limits.maxBodyBytes);
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request done',
    );
    done();
  });

  await app.register(fastifyMultipart, {
    limits: { fileSize: limits.maxUploadBytes, files: 1, fields: 5, parts: 6 },
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'vidata API',
        description:
          'Personalized video: create a Vidata from a dictionary of variable values, follow its render, ' +
          'download the MP4. Field names follow the public Vidata API.',
        version: '1',
      },
      components: {
        securitySchemes: {
          vkey: { type: 'apiKey', in: 'query', name: 'vkey' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  app.get('/health', { schema: { hide: true } }, () => ({ status: 'ok' }));
  registerProjectRoutes(app, services);
  registerVidataRoutes(app, services);
  registerBatchRoutes(app, services);
  registerUploadRoutes(app, services);
  registerMediaRoutes(app, services);
  registerPlayerRoutes(app, services);
  return app;
}
