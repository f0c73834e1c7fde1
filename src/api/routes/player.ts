/** The built-in player page of a Vidata, the default PagePlayerLink. */
import { z } from 'zod';
import { isVidataError } from '../../errors.ts';
import type { Services } from '../../service/context.ts';
import { mediaPath } from '../links.ts';
import { PLAYER_PAGE_CSP, pageLanguage, renderNotFoundPage, renderPlayerPage } from '../player-page.ts';
import type { ZodApp } from '../types.ts';

export function registerPlayerRoutes(app: ZodApp, services: Services): void {
  app.get(
    '/v/:vidataId',
    {
      schema: {
        summary: "A Vidata's player page (HTML)",
        tags: ['Media'],
        params: z.object({ vidataId: z.string() }),
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      const language = pageLanguage(request.headers['accept-language']);
      void reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', PLAYER_PAGE_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('vary', 'Accept-Language');
      try {
        const vidata = await services.vidatas.getPublic(request.params.vidataId);
        const project = await services.projects.get(vidata.projectId);
        // Paths relative to this server, so the page's CSP ('self') allows them behind any host name.
        return renderPlayerPage({
          language,
          status: vidata.status,
          videoUrl: mediaPath(vidata.id, 'video.mp4'),
          coverUrl: mediaPath(vidata.id, 'cover.jpg'),
          playerColor: project.playerColor,
        });
      } catch (error) {
        if (!isVidataError(error) || error.code !== 'NOT_FOUND') throw error;
        return reply.status(404).send(renderNotFoundPage(language));
      }
    },
  );
}
