/** Public links of a Vidata: media files, player page. */
import type { FastifyRequest } from 'fastify';
import type { Project } from '../service/projects.ts';

/** Returns the server's public address: the configured base URL, or the request's scheme and Host. */
export function baseUrlOf(request: FastifyRequest, configured: string | undefined): string {
  return configured ?? `${request.protocol}://${request.host}`;
}

export const mediaPath = (vidataId: string, file: 'video.mp4' | 'cover.jpg') => `/media/${vidataId}/${file}`;
export const playerPath = (vidataId: string) => `/v/${vidataId}`;

/** Returns the project's landing page pattern, where `{videoslug}` is the Vidata id. */
export function pagePlayerLink(project: Project, base: string): string {
  return project.pagePlayerLink ?? `${base}/v/{videoslug}`;
}

export function pageUrl(project: Project, base: string, vidataId: string): string {
  return pagePlayerLink(project, base).replaceAll('{videoslug}', encodeURIComponent(vidataId));
}
