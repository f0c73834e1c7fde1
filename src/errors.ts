/**
 * The error catalogue. Every failure that reaches a user has a stable code listed here, with the HTTP
 * status the API returns and whether a render worker should try the job again. Code checks identity by
 * `code` or by class, never by message text.
 */

export interface ErrorSpec {
  /** HTTP status the API returns. */
  status: number;
  /** True when running the same job again may succeed (a busy disk, a killed process). */
  retryable: boolean;
  /** What the caller can do about it; shown in docs/api.md. */
  fix: string;
}

export const ERROR_CATALOGUE = {
  // Input sent by a caller or typed on the command line.
  VALIDATION_FAILED: { status: 400, retryable: false, fix: 'Correct the request body as the message says.' },
  INVALID_JSON: { status: 400, retryable: false, fix: 'Send a JSON (or JSON5) object as the body.' },
  VARIABLE_UNKNOWN: {
    status: 400,
    retryable: false,
    fix: 'Use one of the names listed by GET /v1/project/{projectId}/variables; names are case-sensitive.',
  },
  VARIABLE_REQUIRED: { status: 400, retryable: false, fix: 'Send a value for this variable.' },
  VARIABLE_TOO_LONG: { status: 400, retryable: false, fix: 'Shorten the value to MaxLength characters.' },
  VARIABLE_INVALID: { status: 400, retryable: false, fix: 'Send a value of the kind this variable takes.' },
  EMAIL_INVALID: {
    status: 400,
    retryable: false,
    fix: 'Send one plain address such as name@example.org, without a display name.',
  },
  IMAGE_CHOICE_UNKNOWN: {
    status: 400,
    retryable: false,
    fix: 'Send one of the PredefinedChoices keys, or the Filename of an upload of this project.',
  },
  UPLOAD_NOT_FOUND: {
    status: 400,
    retryable: false,
    fix: 'Upload the file with POST /v1/upload and send the Filename it returns.',
  },
  FILE_NOT_FOUND: {
    status: 400,
    retryable: false,
    fix: 'Check the path; the file must exist and be readable.',
  },
  TEXT_UNSUPPORTED_CHARACTER: {
    status: 400,
    retryable: false,
    fix: 'Remove the character, or add a font that covers it to the template.',
  },
  TEXT_DOES_NOT_FIT: {
    status: 400,
    retryable: false,
    fix: 'Shorten the text, or allow more lines or a smaller minimum size in the template.',
  },
  ADDRESS_NOT_FOUND: {
    status: 400,
    retryable: false,
    fix: 'Send a postal address with a postcode or city name that the geocoder knows.',
  },
  IMAGE_INVALID: {
    status: 415,
    retryable: false,
    fix: 'Send a complete JPEG, PNG, WebP or GIF image.',
  },
  IMAGE_TOO_LARGE: {
    status: 413,
    retryable: false,
    fix: 'Send an image with fewer pixels (see the VIDATA_MAX_IMAGE_PIXELS setting).',
  },
  VIDEO_INVALID: { status: 415, retryable: false, fix: 'Send a complete MP4, MOV or WebM clip.' },
  VIDEO_TOO_LARGE: {
    status: 413,
    retryable: false,
    fix: 'Send a shorter clip, or one with fewer pixels per frame (at most 8K UHD, 7680x4320).',
  },
  UPLOAD_TOO_LARGE: {
    status: 413,
    retryable: false,
    fix: 'Send a smaller file (see VIDATA_MAX_UPLOAD_BYTES).',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    retryable: false,
    fix: 'Send an image (JPEG, PNG, WebP, GIF) or a video (MP4, MOV, WebM).',
  },
  BODY_TOO_LARGE: {
    status: 413,
    retryable: false,
    fix: 'Send a smaller body, or split a batch (see VIDATA_MAX_BODY_BYTES and VIDATA_MAX_BATCH_SIZE).',
  },

  // Authentication and lookup.
  UNAUTHORIZED: {
    status: 401,
    retryable: false,
    fix: 'Send the project key as ?vkey=, as "key" in the body or as "Authorization: Bearer <key>".',
  },
  NOT_FOUND: {
    status: 404,
    retryable: false,
    fix: 'Check the id; it must belong to the project of your key.',
  },
  CONFLICT: {
    status: 409,
    retryable: false,
    fix: 'Reuse an Idempotency-Key only with the same request body.',
  },
  RANGE_NOT_SATISFIABLE: {
    status: 416,
    retryable: false,
    fix: 'Ask for a byte range inside the file; the Content-Range header gives its size.',
  },
  RATE_LIMITED: { status: 429, retryable: true, fix: 'Wait and send the request again.' },

  // Templates, written by the project's designers.
  TEMPLATE_INVALID: { status: 500, retryable: false, fix: 'Fix template.json as the listed problems say.' },
  TEMPLATE_NOT_FOUND: { status: 500, retryable: false, fix: 'Check the template folder path.' },

  // Rendering.
  FFMPEG_NOT_FOUND: {
    status: 500,
    retryable: false,
    fix: 'Run npm ci, or set FFMPEG_PATH and FFPROBE_PATH to working binaries.',
  },
  FFMPEG_FAILED: { status: 500, retryable: true, fix: 'Read the ffmpeg output tail in the error details.' },
  RENDER_CANCELLED: {
    status: 409,
    retryable: false,
    fix: 'The render was cancelled; create the Vidata again.',
  },
  RENDER_FAILED: {
    status: 500,
    retryable: true,
    fix: 'Read the error details; the job is retried on its own.',
  },
  GEOCODER_FAILED: {
    status: 500,
    retryable: true,
    fix: 'Check the geocoder settings and that the service is up.',
  },
  MAP_TILES_FAILED: {
    status: 500,
    retryable: true,
    fix: 'Check the tile server settings and that it is up.',
  },

  INTERNAL: { status: 500, retryable: true, fix: 'Report the error with the request id.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface VidataErrorOptions {
  /** The input field the error is about, as the caller named it (`variables.TXT_NAME`, `scenes[0].box.w`). */
  field?: string;
  /** Extra data for logs and API clients (an ffmpeg output tail, a list of problems). */
  details?: unknown;
  cause?: unknown;
}

/** An error with a stable catalogue code; the only error type the API and the CLI show to users. */
export class VidataError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: VidataErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VidataError';
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  get retryable(): boolean {
    return ERROR_CATALOGUE[this.code].retryable;
  }

  toJSON(): { code: ErrorCode; message: string; field?: string } {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

/** Several input problems found at once, so a caller can fix them all in one round. */
export class VidataValidationError extends VidataError {
  readonly problems: VidataError[];

  constructor(problems: VidataError[]) {
    const first = problems[0];
    if (!first) throw new Error('VidataValidationError needs at least one problem');
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : '';
    super(first.code, first.message + more, { field: first.field, details: problems.map((p) => p.toJSON()) });
    this.name = 'VidataValidationError';
    this.problems = problems;
  }
}

export function isVidataError(error: unknown): error is VidataError {
  return error instanceof VidataError;
}
