/**
 * Turns every failure into the API's error body `{code, message, field?, errors?}` with the status
 * the error catalogue gives. Errors from Fastify and its plugins are mapped to catalogue codes here,
 * by their `code` property.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { VidataError, VidataValidationError, isVidataError, type ErrorCode } from '../errors.ts';

/** Fastify and @fastify/multipart error codes and the catalogue code each becomes. */
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_REQ_FILE_TOO_LARGE: 'UPLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'VALIDATION_FAILED',
  FST_PARTS_LIMIT: 'VALIDATION_FAILED',
  FST_FIELDS_LIMIT: 'VALIDATION_FAILED',
  FST_PROTO_VIOLATION: 'VALIDATION_FAILED',
  FST_MP_PREMATURE_CLOSE: 'VALIDATION_FAILED',
};

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  field?: string;
  errors?: { code: string; message: string; field?: string }[];
}

/** Converts any thrown value to a VidataError, keeping the original as its cause. */
export function toVidataError(error: unknown): VidataError {
  if (isVidataError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const problems = error.validation.map((issue) => {
      const where = `${issue.instancePath.replace(/^\//, '').replaceAll('/', '.')}`;
      const field = [error.validationContext === 'body' ? '' : error.validationContext, where]
        .filter((part) => part !== '' && part !== undefined)
        .join('.');
      return new VidataError('VALIDATION_FAILED', `${field || 'body'}: ${issue.message}`, {
        field: field || undefined,
      });
    });
    return problems.length > 0
      ? new VidataValidationError(problems)
      : new VidataError('VALIDATION_FAILED', 'The request is invalid.');
  }
  const fastifyError = error as Partial<FastifyError>;
  const mapped = fastifyError.code ? FRAMEWORK_CODES[fastifyError.code] : undefined;
  if (mapped) {
    return new VidataError(mapped, frameworkMessage(mapped, fastifyError.message ?? ''), { cause: error });
  }
  const status = fastifyError.statusCode ?? 500;
  if (status === 404) return new VidataError('NOT_FOUND', 'Not found.', { cause: error });
  if (status >= 400 && status < 500)
    return new VidataError('VALIDATION_FAILED', fastifyError.message ?? 'The request is invalid.', {
      cause: error,
    });
  return new VidataError('INTERNAL', 'Internal error; the server log has the details.', { cause: error });
}

function frameworkMessage(code: ErrorCode, original: string): string {
  switch (code) {
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 'Unsupported Content-Type: send application/json, or multipart/form-data for uploads.';
    case 'BODY_TOO_LARGE':
      return 'The request body is larger than the limit.';
    case 'UPLOAD_TOO_LARGE':
      return 'The file is larger than the upload limit.';
    case 'INVALID_JSON':
      return 'The body is empty or not JSON.';
    default:
      return original;
  }
}

export function errorBody(error: VidataError): ErrorBody {
  const body: ErrorBody = { code: error.code, message: error.message };
  if (error.field !== undefined) body.field = error.field;
  if (error instanceof VidataValidationError) body.errors = error.problems.map((p) => p.toJSON());
  return body;
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const vidataError = toVidataError(error);
    if (vidataError.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: vidataError.code }, 'request rejected');
    if (vidataError.code === 'RATE_LIMITED') {
      const retryAfter = (vidataError.details as { retryAfter?: number } | undefined)?.retryAfter;
      if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    }
    return reply.status(vidataError.status).type('application/json').send(errorBody(vidataError));
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new VidataError(
      'NOT_FOUND',
      `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`,
    );
    return reply.status(404).send(errorBody(error));
  });
}
