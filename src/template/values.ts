/**
 * Checking a dictionary of variable values against a template, before anything is queued: unknown
 * names, lengths, images that are neither a predefined choice nor an upload, the recipient's
 * address. The API and the CLI both call `validateValues`, so they accept and reject the same input.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { VidataError, VidataValidationError } from '../errors.ts';
import { USER_EMAIL_VARIABLE } from './schema.ts';
import type { Template } from './load.ts';
import { validateEmail } from './email.ts';

/** Where the pixels of an image or clip variable come from. */
export type MediaSource =
  /** A file inside the template folder (a default or a predefined choice), relative to it. */
  | { kind: 'template'; path: string }
  /** An upload of the project, by the `Filename` the upload call returned. */
  | { kind: 'upload'; filename: string }
  /** A local file, accepted only from the command line. */
  | { kind: 'file'; path: string };

export interface ResolvedValues {
  /** Every text and map variable with its final value (defaults filled in, NFC-normalized). */
  texts: Record<string, string>;
  images: Record<string, MediaSource>;
  videos: Record<string, MediaSource>;
  /** The recipient's address, as given without the spaces around it. */
  email: string;
}

export interface ValueContext {
  /** Tells whether `filename` is an upload of this project of the given kind. */
  uploadExists?: (filename: string, kind: 'image' | 'video') => boolean | Promise<boolean>;
  /** Accept local file paths for image and clip variables (the command line does, the API does not). */
  allowLocalFiles?: boolean;
  /** Whether TXT_USEREMAIL must be present; true for the API, optional on the command line. */
  requireEmail?: boolean;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Counts user-perceived characters (grapheme clusters), as MaxLength does. */
export function graphemeLength(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

// C0 and C1 control characters other than tab and line feed, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/u;

/** Whitespace other than line breaks at either end of a value. */
const SURROUNDING_SPACES = /^[^\S\r\n]+|[^\S\r\n]+$/g;

/** Normalizes a text value: NFC (so decomposed accents count and draw as one character), CRLF to LF, tabs to spaces. */
export function normalizeText(value: string): string {
  return value.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, ' ');
}

/**
 * Validates `raw` against the template and fills in defaults. Throws a VidataValidationError listing
 * every problem (each with its code and field `variables.NAME`).
 */
export async function validateValues(
  template: Template,
  raw: Readonly<Record<string, unknown>>,
  context: ValueContext = {},
): Promise<ResolvedValues> {
  const problems: VidataError[] = [];
  const declared = new Map(template.variables.map((v) => [v.Name, v]));
  const strings: Record<string, string> = {};

  for (const [name, value] of Object.entries(raw)) {
    const field = `variables.${name}`;
    if (!declared.has(name)) {
      const near = [...declared.keys()].find((d) => d.toLowerCase() === name.toLowerCase());
      const hint = near
        ? ` Did you mean "${near}"? Names are case-sensitive.`
        : ` The template declares ${[...declared.keys()].join(', ')}.`;
      problems.push(new VidataError('VARIABLE_UNKNOWN', `Unknown variable "${name}".${hint}`, { field }));
      continue;
    }
    if (typeof value === 'number' || typeof value === 'boolean') strings[name] = String(value);
    else if (typeof value === 'string') strings[name] = value;
    else if (value === null || value === undefined) continue;
    else
      problems.push(new VidataError('VARIABLE_INVALID', `Variable "${name}" must be a string.`, { field }));
  }

  const result: ResolvedValues = { texts: {}, images: {}, videos: {}, email: '' };
  for (const variable of template.variables) {
    const name = variable.Name;
    const field = `variables.${name}`;
    const given = strings[name];
    switch (variable.kind) {
      case 'text':
      case 'map': {
        if (name === USER_EMAIL_VARIABLE) {
          // Spaces around the address are dropped, line breaks are not: "a@b.c\r\n" is rejected
          // like any value that could add a mail header.
          const email = (given ?? '').replace(SURROUNDING_SPACES, '');
          if (email === '') {
            if (context.requireEmail !== false) {
              problems.push(
                new VidataError(
                  'VARIABLE_REQUIRED',
                  `${USER_EMAIL_VARIABLE} is required: the recipient's e-mail address.`,
                  { field },
                ),
              );
            }
          } else {
            const error = validateEmail(email);
            if (error)
              problems.push(
                new VidataError('EMAIL_INVALID', `${USER_EMAIL_VARIABLE} is invalid: ${error}`, { field }),
              );
          }
          result.email = email;
          result.texts[name] = email;
          break;
        }
        const text = normalizeText(given ?? variable.DefaultValue ?? '');
        if (given !== undefined && CONTROL.test(text)) {
          problems.push(
            new VidataError(
              'VARIABLE_INVALID',
              `Variable "${name}" contains a control character; remove it.`,
              { field },
            ),
          );
        }
        // A text has no more grapheme clusters than UTF-16 code units, so only a text longer than
        // the limit in code units needs counting (segmenting took 5 % of a create call).
        const maxLength = given === undefined ? undefined : variable.MaxLength;
        const length = maxLength !== undefined && text.length > maxLength ? graphemeLength(text) : 0;
        if (maxLength !== undefined && length > maxLength) {
          problems.push(
            new VidataError(
              'VARIABLE_TOO_LONG',
              `Variable "${name}" is ${length} characters long; the maximum is ${maxLength}.`,
              { field, details: { length, maxLength } },
            ),
          );
        }
        result.texts[name] = text;
        break;
      }
      case 'image': {
        const choices = variable.PredefinedChoices ?? {};
        const value = given?.trim();
        if (value === undefined || value === '') {
          const fallback = variable.DefaultValue;
          result.images[name] = {
            kind: 'template',
            path: Object.hasOwn(choices, fallback) ? (choices[fallback] as string) : fallback,
          };
          break;
        }
        if (Object.hasOwn(choices, value)) {
          result.images[name] = { kind: 'template', path: choices[value] as string };
          break;
        }
        const source = await mediaSource(value, 'image', variable.AllowUpload, context);
        if (source === 'missing-file') {
          problems.push(
            new VidataError('FILE_NOT_FOUND', `Variable "${name}": file "${value}" not found.`, { field }),
          );
          break;
        }
        if (source) {
          result.images[name] = source;
          break;
        }
        const keys = Object.keys(choices);
        const options =
          keys.length > 0 ? `one of ${keys.map((k) => `"${k}"`).join(', ')}` : 'no predefined choice';
        problems.push(
          variable.AllowUpload
            ? new VidataError(
                'UPLOAD_NOT_FOUND',
                `Variable "${name}": "${value}" is neither a predefined choice (${options}) nor an upload of this project.`,
                { field },
              )
            : new VidataError(
                'IMAGE_CHOICE_UNKNOWN',
                `Variable "${name}": "${value}" is not a predefined choice; use ${options}.`,
                {
                  field,
                },
              ),
        );
        break;
      }
      case 'video': {
        const value = given?.trim();
        if (value === undefined || value === '') {
          result.videos[name] = { kind: 'template', path: variable.DefaultValue };
          break;
        }
        const source = await mediaSource(value, 'video', true, context);
        if (source === 'missing-file') {
          problems.push(
            new VidataError('FILE_NOT_FOUND', `Variable "${name}": file "${value}" not found.`, { field }),
          );
        } else if (source) result.videos[name] = source;
        else {
          problems.push(
            new VidataError(
              'UPLOAD_NOT_FOUND',
              `Variable "${name}": "${value}" is not an upload of this project.`,
              { field },
            ),
          );
        }
        break;
      }
    }
  }

  if (problems.length > 0) throw new VidataValidationError(problems);
  return result;
}

async function mediaSource(
  value: string,
  kind: 'image' | 'video',
  allowUpload: boolean,
  context: ValueContext,
): Promise<MediaSource | 'missing-file' | undefined> {
  if (!allowUpload) return undefined;
  if (context.uploadExists && (await context.uploadExists(value, kind)))
    return { kind: 'upload', filename: value };
  if (context.allowLocalFiles) {
    const absolute = path.resolve(value);
    return existsSync(absolute) ? { kind: 'file', path: absolute } : 'missing-file';
  }
  return undefined;
}
