/**
 * Lenient JSON bodies: strict JSON first, then JSON5, because the public API's samples use unquoted
 * keys and trailing commas and real clients paste them as they are.
 */
import type { FastifyInstance } from 'fastify';
import JSON5 from 'json5';
import { VidataError } from '../errors.ts';

/**
 * Registers the parser for application/json, and also for the form and plain-text types that
 * `curl -d` and simple HTTP clients send by default, so a JSON body is read whatever its label.
 */
export function registerLenientJson(app: FastifyInstance, bodyLimit: number): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(
    ['application/json', 'application/x-www-form-urlencoded', 'text/plain'],
    { parseAs: 'string', bodyLimit },
    (_request, body, done) => {
      try {
        done(null, parseLenientJson(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

export function parseLenientJson(text: string): unknown {
  if (text.trim() === '')
    throw new VidataError('INVALID_JSON', 'The request body is empty; send a JSON object.');
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON5.parse(text);
    } catch (cause) {
      throw new VidataError(
        'INVALID_JSON',
        `The body is not valid JSON or JSON5: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }
}
