/**
 * Request and response shapes of the public API. The PascalCase field names (`VidataId`,
 * `DownloadUri`, `Texts`...) are those of the public Vidata API and live only here and in the routes.
 */
import { z } from 'zod';

export const errorSchema = z
  .object({
    code: z.string().describe('Stable error code, listed in docs/api.md.'),
    message: z.string(),
    field: z.string().optional().describe('The input field the error is about, e.g. variables.TXT_NAME.'),
    errors: z
      .array(z.object({ code: z.string(), message: z.string(), field: z.string().optional() }))
      .optional()
      .describe('Every problem found, when there are several.'),
  })
  .meta({ id: 'Error' });

export const keyQuery = z.object({
  vkey: z.string().optional().describe('API key of the project (or send Authorization: Bearer <key>).'),
});

export const variablesSchema = z
  .record(z.string(), z.unknown())
  .describe('Variable name to value, e.g. {"TXT_USEREMAIL": "ada@example.org", "TXT_NAME": "Ada"}.');

export const createBodySchema = z.object({
  key: z.string().optional().describe('API key of the project.'),
  ProjectKey: z.string().optional().describe('API key of the project (same as key).'),
  variables: variablesSchema,
});

export const createdSchema = z.object({ VidataId: z.string() });

export const vidataSchema = z
  .object({
    VidataId: z.string(),
    Status: z.enum(['queued', 'rendering', 'done', 'failed']),
    Progress: z.number().int().min(0).max(100),
    Error: z.object({ code: z.string(), message: z.string() }).nullable(),
    DownloadUri: z.string().nullable().describe('The MP4, once Status is done.'),
    CoverUrl: z.string().nullable().describe('The cover JPEG, once Status is done.'),
    PageUrl: z.string().describe("The project's PagePlayerLink with {videoslug} replaced."),
    Duration: z.number().nullable().describe('Seconds.'),
    Width: z.number().int().nullable(),
    Height: z.number().int().nullable(),
    BatchId: z.string().nullable(),
    CreatedOnUtc: z.string(),
    UpdatedOnUtc: z.string(),
  })
  .meta({ id: 'Vidata' });

export const vidataVariablesSchema = z.object({
  VidataId: z.string(),
  Variables: z.record(z.string(), z.string()).describe('Every variable of the template with the value used.'),
});

export const variableListSchema = z
  .object({
    Texts: z.array(
      z.object({
        Name: z.string(),
        DefaultValue: z.string().nullable(),
        ExampleValue: z.string().nullable(),
        MaxLength: z.number().int().nullable(),
        IsAddress: z.boolean().describe('True for TXT_MAP_ variables: the value is a postal address.'),
      }),
    ),
    Images: z.array(
      z.object({
        Name: z.string(),
        DefaultValue: z.string(),
        Width: z.number().int(),
        Height: z.number().int(),
        PredefinedChoices: z.record(z.string(), z.string()).nullable(),
        AllowUpload: z.boolean(),
      }),
    ),
    Videos: z.array(
      z.object({
        Name: z.string(),
        DefaultValue: z.string(),
        Width: z.number().int(),
        Height: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'VariableList' });

export const videoSchema = z
  .object({
    Id: z.string(),
    Name: z.string(),
    Description: z.string().nullable(),
    Duration: z.number().describe('Seconds.'),
    Width: z.number().int(),
    Height: z.number().int(),
    FrameRate: z.number(),
    FrameCount: z.number().int(),
    OutputCoverFrame: z.number().int().describe('Frame used for the cover image.'),
    CoverTime: z.number().describe('Seconds from the start of the cover frame.'),
    VariableKeys: z.array(z.string()),
  })
  .meta({ id: 'Video' });

export const projectSchema = z
  .object({
    Id: z.string(),
    Name: z.string(),
    Description: z.string().nullable(),
    PlayerColor: z.string(),
    PagePlayerLink: z.string(),
    OutputCoverFrame: z.number().int(),
    VariableKeys: z.array(z.string()),
    HeaderList: z.array(z.string()),
    ProjectState: z.literal('Live'),
    CreatedOnUtc: z.string(),
    UpdatedOnUtc: z.string(),
    Videos: z.array(videoSchema),
  })
  .meta({ id: 'Project' });

export const uploadSchema = z.object({
  Filename: z.string().describe('Put this in an IMG_ or VID_ variable.'),
  Type: z.enum(['image', 'video']),
  ContentType: z.string(),
  Size: z.number().int().describe('Bytes.'),
  Width: z.number().int(),
  Height: z.number().int(),
  Duration: z.number().nullable().describe('Seconds, for videos.'),
});

export const batchBodySchema = z.object({
  ProjectKey: z.string().optional().describe("The project's id or API key."),
  key: z.string().optional(),
  Customizations: z
    .array(z.record(z.string(), z.unknown()))
    .min(1)
    .describe('One dictionary of variables per Vidata; {"variables": {...}} is accepted too.'),
});

export const batchCreatedSchema = z.object({
  batchId: z.string(),
  Created: z.array(z.object({ Index: z.number().int(), VidataId: z.string() })),
  Invalid: z.array(
    z.object({
      Index: z.number().int(),
      code: z.string(),
      message: z.string(),
      field: z.string().optional(),
      errors: z.array(z.object({ code: z.string(), message: z.string(), field: z.string().optional() })),
    }),
  ),
});

export const batchSchema = z.object({
  batchId: z.string(),
  Total: z.number().int(),
  Counts: z.object({
    queued: z.number().int(),
    rendering: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
  }),
  VidataIds: z.array(z.string()),
  CreatedOnUtc: z.string(),
});

export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
} as const;

/** OpenAPI security: the key as ?vkey= or as a Bearer token. */
export const keySecurity: Record<string, string[]>[] = [{ vkey: [] }, { bearer: [] }];
