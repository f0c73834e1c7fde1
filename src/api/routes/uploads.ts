/** Uploading an image or a clip for IMG_ and VID_ variables. */
import type {} from '@fastify/multipart';
import { VidataError } from '../../errors.ts';
import type { Services } from '../../service/context.ts';
import { authenticate } from '../auth.ts';
import { errorResponses, errorSchema, keyQuery, keySecurity, uploadSchema } from '../schemas.ts';
import type { ZodApp } from '../types.ts';

export function registerUploadRoutes(app: ZodApp, services: Services): void {
  app.post(
    '/v1/upload',
    {
      schema: {
        summary: 'Upload an image or a video',
        description:
          'multipart/form-data with the file in the field "file". The content is checked by its bytes: ' +
          'JPEG, PNG, WebP, GIF images and MP4, MOV, WebM videos are accepted. A video is converted once ' +
          "to the template's format (frame rate, size, BT.709 SDR, AAC 48 kHz stereo) and only the " +
          'converted MP4 is kept; Width, Height and Duration describe it. Put the returned Filename ' +
          'in an IMG_ or VID_ variable.',
        tags: ['Uploads'],
        security: keySecurity,
        consumes: ['multipart/form-data'],
        querystring: keyQuery,
        response: { 201: uploadSchema, ...errorResponses, 413: errorSchema, 415: errorSchema },
      },
    },
    async (request, reply) => {
      const project = await authenticate(request, services.projects);
      const part = await request.file();
      if (!part || part.fieldname !== 'file') {
        part?.file.resume();
        throw new VidataError('VALIDATION_FAILED', 'Send the file in the multipart field "file".', {
          field: 'file',
        });
      }
      // Normalizing a clip takes seconds of ffmpeg: a client that goes away stops it.
      const clientGone = new AbortController();
      const onClose = (): void => {
        if (!reply.raw.writableFinished) clientGone.abort();
      };
      reply.raw.once('close', onClose);
      let upload;
      try {
        upload = await services.uploads.store(project.id, part.file, () => part.file.truncated, {
          name: clipLabel(part.filename),
          signal: clientGone.signal,
        });
      } finally {
        reply.raw.off('close', onClose);
      }
      request.log.info(
        { projectId: project.id, filename: upload.filename, size: upload.size },
        'upload stored',
      );
      return reply.status(201).send({
        Filename: upload.filename,
        Type: upload.kind,
        ContentType: upload.contentType,
        Size: upload.size,
        Width: upload.width,
        Height: upload.height,
        Duration: upload.duration ?? null,
      });
    },
  );
}

/**
 * Cleans the sender's file name for error messages: its base name, without control characters, cut
 * to 80 characters. Returns undefined when nothing is left.
 */
function clipLabel(filename: string | undefined): string | undefined {
  const base = (filename ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = Array.from(base.replace(/[\u0000-\u001f\u007f]/g, '').trim())
    .slice(0, 80)
    .join('');
  return clean === '' ? undefined : clean;
}
