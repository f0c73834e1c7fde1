/**
 * The schema of `template.json`. It is the contract between template designers and the engine:
 * `docs/templates.md` documents every field declared here. Times are in seconds, positions and
 * sizes in output pixels, colours in `#rrggbb` or `#rrggbbaa`.
 *
 * Variable declarations keep the public API's PascalCase fields (`Name`, `DefaultValue`,
 * `MaxLength`...) because they are listed as-is by the API; the rest of the file uses camelCase.
 */
import { z } from 'zod';

const positive = () => z.number().positive('must be > 0');
const nonNegative = () => z.number().min(0, 'must be >= 0');
const relativePath = () =>
  z
    .string()
    .min(1, 'must not be empty')
    .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), {
      message: 'must be a path inside the template folder (no leading "/", no "..")',
    });

export const colorSchema = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/, 'must be a colour such as "#1a2b3c" or "#1a2b3c80"');

/** Variable name prefixes of the public API. Names are case-sensitive and may end with an extension. */
export const VARIABLE_PREFIX = {
  map: 'TXT_MAP_',
  text: 'TXT_',
  image: 'IMG_',
  video: 'VID_',
} as const;

/** The recipient's address: required by every create call, so every template declares it. */
export const USER_EMAIL_VARIABLE = 'TXT_USEREMAIL';

const variableName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+$/, 'must contain only letters, digits, "_", "." and "-"');

export const overflowSchema = z.enum(['shrink', 'ellipsis', 'reject']);

export const textVariableSchema = z.strictObject({
  Name: variableName.refine((n) => n.startsWith(VARIABLE_PREFIX.text) && !n.startsWith(VARIABLE_PREFIX.map), {
    message: 'must start with TXT_',
  }),
  DefaultValue: z.string().optional(),
  ExampleValue: z.string().optional(),
  /** Maximum length in user-perceived characters (grapheme clusters). */
  MaxLength: z.number().int('must be an integer').positive('must be > 0').optional(),
});

export const mapVariableSchema = z.strictObject({
  Name: variableName.refine(
    (n) => n.startsWith(VARIABLE_PREFIX.map) && n.length > VARIABLE_PREFIX.map.length,
    {
      message: 'must be TXT_MAP_ followed by the name of the image that shows the map',
    },
  ),
  DefaultValue: z.string().optional(),
  ExampleValue: z.string().optional(),
  MaxLength: z.number().int('must be an integer').positive('must be > 0').optional(),
  /** The map image: its size in pixels and the picture shown until an address is drawn. */
  Map: z.strictObject({
    Width: z.number().int('must be an integer').positive('must be > 0'),
    Height: z.number().int('must be an integer').positive('must be > 0'),
    DefaultImage: relativePath(),
    /** Colours and pin of the drawn map; every field is optional. */
    Style: z
      .strictObject({
        land: colorSchema.optional(),
        water: colorSchema.optional(),
        border: colorSchema.optional(),
        pin: colorSchema.optional(),
        label: colorSchema.optional(),
        font: z.string().optional(),
      })
      .optional(),
  }),
});

export const fitSchema = z.enum(['cover', 'contain']);

export const imageVariableSchema = z.strictObject({
  Name: variableName.refine((n) => n.startsWith(VARIABLE_PREFIX.image), { message: 'must start with IMG_' }),
  Width: z.number().int('must be an integer').positive('must be > 0'),
  Height: z.number().int('must be an integer').positive('must be > 0'),
  /** A key of PredefinedChoices, or a path of an image inside the template folder. */
  DefaultValue: z.string().min(1, 'must not be empty'),
  /** Choice key to image path inside the template folder. */
  PredefinedChoices: z
    .record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a simple key'), relativePath())
    .optional(),
  /** Whether an uploaded image is accepted besides the predefined choices. */
  AllowUpload: z.boolean().default(true),
  Fit: fitSchema.default('cover'),
  /** Point of the image kept in view when `cover` crops it, from 0 to 1 on each axis. */
  FocalPoint: z.strictObject({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) }).optional(),
});

export const videoVariableSchema = z.strictObject({
  Name: variableName.refine((n) => n.startsWith(VARIABLE_PREFIX.video), { message: 'must start with VID_' }),
  Width: z.number().int('must be an integer').positive('must be > 0'),
  Height: z.number().int('must be an integer').positive('must be > 0'),
  /** A clip inside the template folder, used when no value is sent. */
  DefaultValue: relativePath(),
  /** What to do when the clip is shorter than its slot: loop it, or hold its last frame. */
  Fill: z.enum(['loop', 'freeze']).default('freeze'),
  Fit: fitSchema.default('cover'),
  /** Whether the clip's own sound is mixed over the soundtrack. */
  KeepAudio: z.boolean().default(false),
});

export type TextVariable = z.infer<typeof textVariableSchema>;
export type MapVariable = z.infer<typeof mapVariableSchema>;
export type ImageVariable = z.infer<typeof imageVariableSchema>;
export type VideoVariable = z.infer<typeof videoVariableSchema>;

export const boxSchema = z.strictObject({
  x: z.number(),
  y: z.number(),
  w: positive(),
  h: positive(),
});
export type Box = z.infer<typeof boxSchema>;

export const animationSchema = z.strictObject({
  type: z.enum(['fade', 'slide-left', 'slide-right', 'slide-up', 'slide-down', 'scale']),
  duration: positive().default(0.5),
  /** Slide distance in pixels. Defaults to the box's width or height. */
  distance: positive().optional(),
});
export type Animation = z.infer<typeof animationSchema>;

const layerBase = {
  id: z.string().optional(),
  box: boxSchema,
  /** Seconds from the scene's start. */
  start: nonNegative().default(0),
  /** Seconds from the scene's start; defaults to the scene's end. */
  end: positive().optional(),
  /** Layers with a higher z are drawn above; equal z keeps the order of the list. */
  z: z.number().int('must be an integer').default(0),
  opacity: z.number().min(0).max(1).default(1),
  in: animationSchema.optional(),
  out: animationSchema.optional(),
};

export const textStyleSchema = z.strictObject({
  /** A family declared in `fonts`. */
  font: z.string().min(1),
  weight: z.number().int().min(100).max(900).default(400),
  italic: z.boolean().default(false),
  size: positive(),
  /** Smallest size that shrink-to-fit may reach before wrapping further or applying `overflow`. */
  minSize: positive().optional(),
  color: colorSchema.default('#ffffff'),
  align: z.enum(['left', 'center', 'right']).default('center'),
  valign: z.enum(['top', 'middle', 'bottom']).default('middle'),
  /** Line height as a multiple of the font size. */
  lineHeight: positive().default(1.2),
  maxLines: z.number().int().positive('must be > 0').default(2),
  overflow: overflowSchema.default('shrink'),
  transform: z.enum(['none', 'uppercase', 'lowercase']).default('none'),
  letterSpacing: z.number().default(0),
  shadow: z
    .strictObject({
      color: colorSchema,
      blur: nonNegative().default(8),
      x: z.number().default(0),
      y: z.number().default(2),
    })
    .optional(),
  /** BCP 47 language used for case mapping and line breaking, e.g. "tr" for Turkish upper case. */
  lang: z.string().optional(),
});
export type TextStyle = z.infer<typeof textStyleSchema>;

export const textLayerSchema = z.strictObject({
  ...layerBase,
  type: z.literal('text'),
  /** Literal text with `{{VARIABLE}}` placeholders, e.g. "Bonjour {{TXT_NAME}}". */
  text: z.string(),
  style: textStyleSchema,
});

export const imageLayerSchema = z.strictObject({
  ...layerBase,
  type: z.literal('image'),
  /** An image inside the template folder... */
  src: relativePath().optional(),
  /** ...or an IMG_ variable. Exactly one of the two is set. */
  variable: z.string().optional(),
  fit: fitSchema.optional(),
  /** Rounded corners in pixels; a value of half the box makes a circle. */
  radius: nonNegative().default(0),
});

export const mapLayerSchema = z.strictObject({
  ...layerBase,
  type: z.literal('map'),
  /** The TXT_MAP_ variable whose address is drawn. */
  variable: z.string(),
  radius: nonNegative().default(0),
});

export const videoLayerSchema = z.strictObject({
  ...layerBase,
  type: z.literal('video'),
  /** A clip inside the template folder, or a VID_ variable. Exactly one of the two is set. */
  src: relativePath().optional(),
  variable: z.string().optional(),
  fit: fitSchema.optional(),
});

export const layerSchema = z.discriminatedUnion('type', [
  textLayerSchema,
  imageLayerSchema,
  mapLayerSchema,
  videoLayerSchema,
]);
export type Layer = z.infer<typeof layerSchema>;
export type TextLayer = z.infer<typeof textLayerSchema>;
export type ImageLayer = z.infer<typeof imageLayerSchema>;
export type MapLayer = z.infer<typeof mapLayerSchema>;
export type VideoLayer = z.infer<typeof videoLayerSchema>;

export const backgroundSchema = z.union([
  z.strictObject({ color: colorSchema }),
  z.strictObject({ image: relativePath(), fit: fitSchema.default('cover') }),
  z.strictObject({
    video: relativePath(),
    fit: fitSchema.default('cover'),
    /** Seconds into the clip where the scene starts. */
    offset: nonNegative().default(0),
    /** What to do when the clip ends before the scene. */
    fill: z.enum(['loop', 'freeze']).default('loop'),
  }),
]);
export type Background = z.infer<typeof backgroundSchema>;

export const sceneSchema = z.strictObject({
  id: z.string().optional(),
  duration: positive(),
  background: backgroundSchema,
  layers: z.array(layerSchema).default([]),
});
export type Scene = z.infer<typeof sceneSchema>;

export const fontSchema = z.strictObject({
  family: z.string().min(1),
  file: relativePath(),
  weight: z.number().int().min(100).max(900).default(400),
  italic: z.boolean().default(false),
});

export const templateSchema = z.strictObject({
  /** Format version of this file; only 1 exists. */
  formatVersion: z.literal(1),
  name: z.string().min(1),
  description: z.string().optional(),
  output: z.strictObject({
    width: z
      .number()
      .int('must be an integer')
      .positive('must be > 0')
      .multipleOf(2, 'must be even (yuv420p)'),
    height: z
      .number()
      .int('must be an integer')
      .positive('must be > 0')
      .multipleOf(2, 'must be even (yuv420p)'),
    fps: z.number().int('must be an integer').min(1).max(60),
    /** Frame of the whole video used for the cover image (the API's OutputCoverFrame). */
    coverFrame: z.number().int().min(0).default(0),
  }),
  fonts: z.array(fontSchema).default([]),
  /** Families tried in order for characters the layer's own font lacks. */
  fontFallbacks: z.array(z.string()).default([]),
  soundtrack: z
    .strictObject({
      file: relativePath(),
      volume: z.number().min(0).max(4).default(1),
      fadeIn: nonNegative().default(0),
      fadeOut: nonNegative().default(0),
    })
    .optional(),
  variables: z.array(z.record(z.string(), z.unknown())),
  scenes: z.array(sceneSchema).min(1, 'must contain at least one scene'),
});

export type TemplateInput = z.input<typeof templateSchema>;
export type TemplateFile = z.infer<typeof templateSchema>;

export type VariableDeclaration =
  | ({ kind: 'text' } & TextVariable)
  | ({ kind: 'map' } & MapVariable)
  | ({ kind: 'image' } & ImageVariable)
  | ({ kind: 'video' } & VideoVariable);

/** Returns the kind of a variable from its name prefix, or undefined for an unknown prefix. */
export function variableKind(name: string): VariableDeclaration['kind'] | undefined {
  if (name.startsWith(VARIABLE_PREFIX.map)) return 'map';
  if (name.startsWith(VARIABLE_PREFIX.text)) return 'text';
  if (name.startsWith(VARIABLE_PREFIX.image)) return 'image';
  if (name.startsWith(VARIABLE_PREFIX.video)) return 'video';
  return undefined;
}

export const variableSchemas = {
  text: textVariableSchema,
  map: mapVariableSchema,
  image: imageVariableSchema,
  video: videoVariableSchema,
} as const;
