/** Finding the API key of a request and the project it opens. */
import type { FastifyRequest } from 'fastify';
import { VidataError } from '../errors.ts';
import type { Project, ProjectService } from '../service/projects.ts';

/**
 * Returns the key sent as `Authorization: Bearer <key>` or `?vkey=`, in that order of preference,
 * or undefined when there is none.
 */
export function headerOrQueryKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw new VidataError('UNAUTHORIZED', 'The Authorization header must be "Bearer <key>".', {
        field: 'Authorization',
      });
    }
    return match[1];
  }
  const query = request.query as { vkey?: unknown } | undefined;
  return typeof query?.vkey === 'string' && query.vkey !== '' ? query.vkey : undefined;
}

/** Returns the project of the request's key (header, query, then `bodyKey`); throws UNAUTHORIZED. */
export async function authenticate(
  request: FastifyRequest,
  projects: ProjectService,
  bodyKey?: string,
): Promise<Project> {
  const key = headerOrQueryKey(request) ?? (bodyKey !== '' ? bodyKey : undefined);
  if (key === undefined) {
    throw new VidataError(
      'UNAUTHORIZED',
      'An API key is required: send ?vkey=, "key" in the body or a Bearer token.',
    );
  }
  return projects.authenticate(key);
}

/** Throws NOT_FOUND unless `id` is the project's own: another project's data is never revealed. */
export function requireOwn(kind: string, id: string, ownId: string): void {
  if (id !== ownId) throw new VidataError('NOT_FOUND', `${kind} "${id}" not found.`);
}
