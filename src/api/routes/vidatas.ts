/** Creating, reading and deleting Vidatas. */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../service/context.ts';
import type { Project } from '../../service/projects.ts';
import type { Vidata } from '../../service/vidatas.ts';
import { authenticate } from '../auth.ts';
import { baseUrlOf, mediaPath, pageUrl } from '../links.ts';
import {
  createBodySchema,
  createdSchema,
  errorResponses,
  errorSchema,
  keyQuery,
  keySecurity,
  vidataSchema,
  vidataVariablesSchema,
} from '../schemas.ts';
import type { ZodApp } from '../types.ts';

const tags = ['Vidatas'];
const idParams = z.object({ vidataId: z.string() });

export function registerVidataRoutes(app: ZodApp, services: Services): void {
  const { projects, vidatas } = services;

  app.post(
    '/v1/vidata',
    {
      schema: {
        summary: 'Create a Vidata',
        description:
          'Validates every value, stores the Vidata and queues its render. TXT_USEREMAIL is required. ' +
          'Strict JSON and JSON5 (unquoted keys, trailing commas) bodies are accepted.',
        tags,
        security: keySecurity,
        querystring: keyQuery,
        headers: z.looseObject({
          'idempotency-key': z
            .string()
            .min(1)
            .max(200)
            .optional()
            .describe('A retried request with the same key and values returns the same VidataId.'),
        }),
        body: createBodySchema,
        response: { 201: createdSchema, ...errorResponses, 409: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const project = await authenticate(request, projects, request.body.key ?? request.body.ProjectKey);
      const { vidata, replayed } = await vidatas.create(
        project,
        request.body.variables,
        request.headers['idempotency-key'],
      );
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(201).send({ VidataId: vidata.id });
    },
  );

  app.get(
    '/v1/vidata/:vidataId',
    {
      schema: {
        summary: 'Get a Vidata',
        tags,
        security: keySecurity,
        params: idParams,
        querystring: keyQuery,
        response: { 200: vidataSchema, ...errorResponses },
      },
    },
    async (request) => {
      const project = await authenticate(request, projects);
      const vidata = await vidatas.get(project, request.params.vidataId);
      return presentVidata(request, services, project, vidata);
    },
  );

  app.get(
    '/v1/vidata/:vidataId/variables',
    {
      schema: {
        summary: 'Get the values a Vidata was made with',
        tags,
        security: keySecurity,
        params: idParams,
        querystring: keyQuery,
        response: { 200: vidataVariablesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const project = await authenticate(request, projects);
      const values = await vidatas.variables(project, request.params.vidataId);
      return { VidataId: request.params.vidataId, Variables: values };
    },
  );

  app.delete(
    '/v1/vidata/:vidataId',
    {
      schema: {
        summary: 'Delete a Vidata and its files',
        description: 'A render in progress is cancelled.',
        tags,
        security: keySecurity,
        params: idParams,
        querystring: keyQuery,
        response: { 204: z.null().describe('Deleted.'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const project = await authenticate(request, projects);
      await vidatas.delete(project, request.params.vidataId);
      return reply.status(204).send(null);
    },
  );
}

export function presentVidata(
  request: FastifyRequest,
  services: Services,
  project: Project,
  vidata: Vidata,
): z.infer<typeof vidataSchema> {
  const base = baseUrlOf(request, services.config.server.baseUrl);
  const done = vidata.status === 'done';
  return {
    VidataId: vidata.id,
    Status: vidata.status,
    Progress: vidata.progress,
    Error: vidata.error ?? null,
    DownloadUri: done ? base + mediaPath(vidata.id, 'video.mp4') : null,
    CoverUrl: done ? base + mediaPath(vidata.id, 'cover.jpg') : null,
    PageUrl: pageUrl(project, base, vidata.id),
    Duration: vidata.duration ?? null,
    Width: vidata.width ?? null,
    Height: vidata.height ?? null,
    BatchId: vidata.batchId ?? null,
    CreatedOnUtc: vidata.createdAt,
    UpdatedOnUtc: vidata.updatedAt,
  };
}
