/** Creating many Vidatas in one request, and following them. */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { VidataError } from '../../errors.ts';
import type { Services } from '../../service/context.ts';
import type { Project } from '../../service/projects.ts';
import { problemList } from '../../service/vidatas.ts';
import { authenticate, headerOrQueryKey } from '../auth.ts';
import {
  batchBodySchema,
  batchCreatedSchema,
  batchSchema,
  errorResponses,
  errorSchema,
  keyQuery,
  keySecurity,
} from '../schemas.ts';
import type { ZodApp } from '../types.ts';

const tags = ['Batches'];

export function registerBatchRoutes(app: ZodApp, services: Services): void {
  const { vidatas } = services;

  app.post(
    '/v1/vidata/batch',
    {
      schema: {
        summary: 'Create many Vidatas',
        description:
          'Every customization is validated first. Valid ones are created and queued; invalid ones are ' +
          'listed by index with their error. When none is valid, nothing is created and the answer is 400.',
        tags,
        security: keySecurity,
        querystring: keyQuery,
        body: batchBodySchema,
        response: { 201: batchCreatedSchema, ...errorResponses, 413: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const project = await batchProject(request, services, request.body.ProjectKey, request.body.key);
      const rows = request.body.Customizations;
      const limit = services.config.server.maxBatchSize;
      if (rows.length > limit) {
        throw new VidataError(
          'BODY_TOO_LARGE',
          `A batch holds at most ${limit} customizations; this one has ${rows.length}.`,
          {
            field: 'Customizations',
          },
        );
      }
      const result = await vidatas.createBatch(project, rows.map(customizationVariables));
      return reply.status(201).send({
        batchId: result.batchId,
        Created: result.created.map(({ index, vidataId }) => ({ Index: index, VidataId: vidataId })),
        Invalid: result.invalid.map(({ index, error }) => ({
          Index: index,
          ...error.toJSON(),
          errors: problemList(error).map((problem) => problem.toJSON()),
        })),
      });
    },
  );

  app.get(
    '/v1/vidata/batch/:batchId',
    {
      schema: {
        summary: 'Get a batch: counts by status and the VidataIds',
        tags,
        security: keySecurity,
        params: z.object({ batchId: z.string() }),
        querystring: keyQuery,
        response: { 200: batchSchema, ...errorResponses },
      },
    },
    async (request) => {
      const project = await authenticate(request, services.projects);
      const batch = await vidatas.batch(project, request.params.batchId);
      const counts = { queued: 0, rendering: 0, done: 0, failed: 0 };
      for (const vidata of batch.vidatas) counts[vidata.status]++;
      return {
        batchId: batch.id,
        Total: batch.vidatas.length,
        Counts: counts,
        VidataIds: batch.vidatas.map((v) => v.id),
        CreatedOnUtc: batch.createdAt,
      };
    },
  );
}

/**
 * Finds the batch's project. In the public samples `ProjectKey` is the project's id and `vkey`
 * authenticates, so `ProjectKey` may be the id or the key. A `ProjectKey` naming another project
 * than the key's gets NOT_FOUND, like any other project's data.
 */
async function batchProject(
  request: FastifyRequest,
  services: Services,
  projectKey: string | undefined,
  bodyKey: string | undefined,
): Promise<Project> {
  const key = headerOrQueryKey(request) ?? bodyKey;
  if (key === undefined) return authenticate(request, services.projects, projectKey);
  const project = await services.projects.authenticate(key);
  if (projectKey === undefined || projectKey === project.id || projectKey === key) return project;
  // A ProjectKey that is neither this project's id nor a valid key names no project we may show.
  const named = await services.projects.authenticate(projectKey).catch(() => undefined);
  if (named?.id === project.id) return project;
  throw new VidataError('NOT_FOUND', `Project "${projectKey}" not found.`, { field: 'ProjectKey' });
}

/** Returns a customization's variables: the row itself, or the object under its `variables` field. */
function customizationVariables(row: Record<string, unknown>): Record<string, unknown> {
  const nested = row.variables ?? row.Variables;
  if (nested !== null && typeof nested === 'object' && !Array.isArray(nested))
    return nested as Record<string, unknown>;
  return row;
}
