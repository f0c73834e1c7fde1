/** Public links of a Vidata: media files, player page. */
import type { FastifyRequest } from 'fastify';
import type { Project } from '../service/projects.ts';

/** The server's public address: the configured base URL, or the scheme and Host of the request. */
export function baseUrlOf(request: FastifyRequest, configured: string | undefined): string {
  return configured ?? `${request.protocol}://${request.host}`;
}

export const mediaPath = (vidataId: string, file: 'video.mp4' | 'cover.jpg') => `/media/${vidataId}/${file}`;
export const playerPath = (vidataId: string) => `/v/${vidataId}`;

/** The project's landing page pattern, `{videoslug}` standing for the Vidata id. */
export function pagePlayerLink(project: Project, base: string): string {
  return project.pagePlayerLink ?? `${base}/v/{videoslug}`;
}

export function pageUrl(project: Project, base: string, vidataId: string): string {
  return pagePlayerLink(project, base).replaceAll('{videoslug}', encodeURIComponent(vidataId));
}
