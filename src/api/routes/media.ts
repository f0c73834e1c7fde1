/**
 * The rendered MP4 and cover JPEG of a Vidata, public by their unguessable id (the player page and
 * e-mails link to them), with HTTP range requests so browsers can seek.
 */
import { z } from 'zod';
import { VidataError } from '../../errors.ts';
import type { Services } from '../../service/context.ts';
import { outputKeys } from '../../service/vidatas.ts';
import { errorSchema } from '../schemas.ts';
import type { ZodApp } from '../types.ts';

const FILES = {
  'video.mp4': { type: 'video/mp4', key: 'video' },
  'cover.jpg': { type: 'image/jpeg', key: 'cover' },
} as const;

export function registerMediaRoutes(app: ZodApp, services: Services): void {
  app.get(
    '/media/:vidataId/:file',
    {
      schema: {
        summary: "A Vidata's MP4 or cover JPEG",
        description: 'Public by the Vidata id. Supports Range: bytes=start-end (one range).',
        tags: ['Media'],
        params: z.object({ vidataId: z.string(), file: z.string().describe('video.mp4 or cover.jpg') }),
        response: {
          200: z.unknown().describe('The whole file.'),
          206: z.unknown().describe('The requested byte range.'),
          404: errorSchema,
          416: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { vidataId, file } = request.params;
      if (!isMediaFile(file))
        throw new VidataError('NOT_FOUND', `No file "${file}"; use video.mp4 or cover.jpg.`);
      const vidata = await services.vidatas.getPublic(vidataId);
      const notReady = new VidataError('NOT_FOUND', `The ${file} of Vidata "${vidataId}" is not ready.`);
      if (vidata.status !== 'done') throw notReady;
      const key = outputKeys(vidataId)[FILES[file].key];
      const info = await services.storage.stat(key);
      if (!info) throw notReady;

      void reply.header('accept-ranges', 'bytes').type(FILES[file].type);
      const range = parseRange(request.headers.range, info.size);
      if (range === 'unsatisfiable') {
        void reply.header('content-range', `bytes */${info.size}`);
        throw new VidataError(
          'RANGE_NOT_SATISFIABLE',
          `The range is outside the file's ${info.size} bytes.`,
          {
            field: 'Range',
          },
        );
      }
      if (range) {
        void reply
          .status(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${info.size}`)
          .header('content-length', String(range.end - range.start + 1));
        return reply.send(services.storage.read(key, range));
      }
      void reply.header('content-length', String(info.size));
      return reply.send(services.storage.read(key));
    },
  );
}

function isMediaFile(file: string): file is keyof typeof FILES {
  return Object.hasOwn(FILES, file);
}

/**
 * Parses a `Range: bytes=...` header for a file of `size` bytes. Returns undefined for no range, or
 * for forms served whole as RFC 9110 allows (several ranges, other units, bad syntax).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // A suffix range: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
