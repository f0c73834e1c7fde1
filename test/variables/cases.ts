/**
 * The variable cases: values a customer list really contains, each with the result it must get.
 * A case is either rejected with a stable code at a named stage (the upload call, the create call
 * or the render) or rendered, and then its frame must pass every listed check. The card template
 * in fixtures/ has the text and image variables, and the clip template has the video variables.
 */
import type { ErrorCode } from '../../src/errors.ts';
import type { Check, ColourName } from './checks.ts';
import type { CaseValue, Stage, TemplateName } from './harness.ts';

export type Kind = 'text' | 'image' | 'clip' | 'recipient';

export interface VariableCase {
  name: string;
  kind: Kind;
  template: TemplateName;
  /** Values sent with the create call. TXT_USEREMAIL is ada@example.com unless given, and null leaves it out. */
  values: Record<string, CaseValue | null>;
  expect: { rejected: { at: Stage; code: ErrorCode; field: string } } | { checks: Check[] };
}

type CaseInput = Omit<VariableCase, 'kind' | 'template'>;

function group(kind: Kind, template: TemplateName, cases: CaseInput[]): VariableCase[] {
  return cases.map((c) => ({ ...c, kind, template }));
}

const upload = (file: string): CaseValue => ({ upload: file });
const image = (name: string): CaseValue => upload(`fixtures/images/${name}`);
const clip = (name: string): CaseValue => upload(`fixtures/clips/${name}`);

const rejected = (at: Stage, code: ErrorCode, field: string) => ({ rejected: { at, code, field } });
const text = (
  variable: string,
  more: Omit<Extract<Check, { type: 'text' }>, 'type' | 'variable'> = {},
): Check => ({
  type: 'text',
  variable,
  ...more,
});
const pixels = (variable: string, points: [number, number, ColourName][], frame?: number): Check => ({
  type: 'pixels',
  variable,
  points,
  ...(frame === undefined ? {} : { frame }),
});

const LONG_NAME = 'Bartholomew Featherstonehaugh of Wolverhampton';
const LONGEST_NAME = 'Bartholomew Featherstonehaugh-Smythe of Wolverhampton and Elsewhere';

/**
 * Where the marker of the 60x40 image fixtures lands in the 72x72 `contain` box of IMG_LOGO. A
 * landscape picture becomes 72x48 at y 12, and a portrait one (EXIF 5 to 8) 48x72 at x 12. The
 * 12x12 marker becomes 14.4 pixels wide.
 */
const LANDSCAPE_MARKER_TOP_LEFT: [number, number, ColourName][] = [
  [6, 18, 'red'],
  [50, 40, 'blue'],
  [36, 4, 'background'],
];

const textCases = group('text', 'card', [
  {
    name: 'Latin with accents',
    values: { TXT_NAME: 'Zoë Łukasz Gonçalves' },
    expect: { checks: [text('TXT_NAME')] },
  },
  {
    name: 'decomposed accents normalized',
    values: { TXT_NAME: 'Ame\u0301lie Lefe\u0300vre' },
    expect: {
      checks: [
        { type: 'stored', variable: 'TXT_NAME', value: 'Amélie Lefèvre' },
        text('TXT_NAME', { lines: ['Amélie Lefèvre'] }),
      ],
    },
  },
  { name: 'Greek', values: { TXT_NAME: 'Αλέξανδρος Παπαδόπουλος' }, expect: { checks: [text('TXT_NAME')] } },
  { name: 'Cyrillic', values: { TXT_NAME: 'Дмитрий Шостакович' }, expect: { checks: [text('TXT_NAME')] } },
  {
    name: 'Arabic with digits',
    values: { TXT_NAME: 'عام 2024' },
    // Right to left: the number ends the sentence, so it is drawn on the left, its digits in order.
    expect: {
      checks: [
        text('TXT_NAME', { lines: ['عام 2024'] }),
        { type: 'starts-with', variable: 'TXT_NAME', text: '2024', not: '4202' },
      ],
    },
  },
  {
    name: 'Hebrew with a Latin name',
    values: { TXT_NAME: 'שלום Ada' },
    expect: {
      checks: [text('TXT_NAME'), { type: 'starts-with', variable: 'TXT_NAME', text: 'Ada', not: 'שלום' }],
    },
  },
  { name: 'Devanagari', values: { TXT_NAME: 'नमस्ते दुनिया' }, expect: { checks: [text('TXT_NAME')] } },
  { name: 'Thai', values: { TXT_NAME: 'สวัสดีครับ ยินดีต้อนรับ' }, expect: { checks: [text('TXT_NAME')] } },
  {
    name: 'Chinese wraps without spaces',
    values: { TXT_NAME: '欢迎来到我们的城市参观游览' },
    expect: { checks: [text('TXT_NAME', { lines: ['欢迎来到我们的城市参观', '游览'] })] },
  },
  { name: 'Japanese', values: { TXT_NAME: '山田太郎さん' }, expect: { checks: [text('TXT_NAME')] } },
  {
    name: 'emoji in colour',
    values: { TXT_NAME: 'Bravo 🎉' },
    expect: { checks: [text('TXT_NAME'), { type: 'colour-ink', variable: 'TXT_NAME' }] },
  },
  {
    name: 'ZWJ sequence is one glyph',
    values: { TXT_CODE: '👩‍💻' },
    expect: {
      checks: [
        text('TXT_CODE'),
        { type: 'colour-ink', variable: 'TXT_CODE' },
        { type: 'one-glyph', variable: 'TXT_CODE', glyph: '👩' },
      ],
    },
  },
  {
    name: 'flag is one glyph',
    values: { TXT_CODE: '🇫🇷' },
    expect: {
      checks: [
        text('TXT_CODE'),
        { type: 'colour-ink', variable: 'TXT_CODE' },
        { type: 'one-glyph', variable: 'TXT_CODE', glyph: '🎉' },
      ],
    },
  },
  {
    name: 'skin tone is one glyph',
    values: { TXT_CODE: '👍🏽' },
    expect: { checks: [text('TXT_CODE'), { type: 'one-glyph', variable: 'TXT_CODE', glyph: '👍' }] },
  },
  {
    name: 'mixed scripts on one line',
    values: { TXT_NAME: 'Ada 山田 Ωμέγα 🎉' },
    expect: {
      checks: [
        text('TXT_NAME', { lines: ['Ada 山田 Ωμέγα 🎉'] }),
        { type: 'colour-ink', variable: 'TXT_NAME' },
      ],
    },
  },
  {
    name: 'Turkish upper case',
    values: { TXT_TR: 'iyi günler Işıl' },
    expect: { checks: [text('TXT_TR', { lines: ['İYİ GÜNLER IŞIL'] })] },
  },
  {
    name: 'German upper case',
    values: { TXT_DE: 'Straße' },
    expect: { checks: [text('TXT_DE', { lines: ['STRASSE'] })] },
  },
  {
    name: 'long name shrinks and wraps',
    values: { TXT_NAME: 'Bartholomew Featherstonehaugh' },
    expect: {
      checks: [text('TXT_NAME', { lines: ['Bartholomew', 'Featherstonehaugh'], fontSize: { below: 32 } })],
    },
  },
  {
    name: 'long name shrinks on one line',
    values: { TXT_STRICT: 'Alexandra Whitmore-Lee' },
    expect: { checks: [text('TXT_STRICT', { lines: ['Alexandra Whitmore-Lee'], fontSize: { below: 32 } })] },
  },
  {
    name: 'long name cut with ellipsis',
    values: { TXT_CUT: LONG_NAME },
    expect: { checks: [text('TXT_CUT', { fontSize: 32, ellipsis: true })] },
  },
  {
    name: 'longest name ellipsis at minSize',
    values: { TXT_NAME: LONGEST_NAME },
    expect: { checks: [text('TXT_NAME', { fontSize: 16, ellipsis: true })] },
  },
  {
    name: 'long name rejected',
    values: { TXT_STRICT: LONG_NAME },
    expect: rejected('create', 'TEXT_DOES_NOT_FIT', 'variables.TXT_STRICT'),
  },
  {
    name: 'name over MaxLength',
    values: { TXT_NAME: 'x'.repeat(81) },
    expect: rejected('create', 'VARIABLE_TOO_LONG', 'variables.TXT_NAME'),
  },
  {
    name: 'empty value',
    values: { TXT_NAME: '' },
    expect: { checks: [{ type: 'blank', variable: 'TXT_NAME' }] },
  },
  {
    name: 'whitespace-only value',
    values: { TXT_NAME: '  \t  ' },
    expect: { checks: [{ type: 'blank', variable: 'TXT_NAME' }] },
  },
  {
    name: 'zero-width space only',
    values: { TXT_NAME: '\u200b' },
    expect: { checks: [{ type: 'blank', variable: 'TXT_NAME' }] },
  },
  {
    name: 'control character',
    values: { TXT_NAME: 'Ada\u0007Lovelace' },
    expect: rejected('create', 'VARIABLE_INVALID', 'variables.TXT_NAME'),
  },
  {
    name: 'newline breaks the line',
    values: { TXT_NAME: 'Ada\nLovelace' },
    expect: { checks: [text('TXT_NAME', { lines: ['Ada', 'Lovelace'] })] },
  },
  {
    name: 'CRLF stored as a newline',
    values: { TXT_NAME: 'Ada\r\nLovelace' },
    expect: {
      checks: [
        { type: 'stored', variable: 'TXT_NAME', value: 'Ada\nLovelace' },
        text('TXT_NAME', { lines: ['Ada', 'Lovelace'] }),
      ],
    },
  },
  {
    name: 'MaxLength counts ZWJ sequences once',
    values: { TXT_CODE: '👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻' },
    expect: { checks: [text('TXT_CODE'), { type: 'colour-ink', variable: 'TXT_CODE' }] },
  },
  {
    name: 'MaxLength counts decomposed accents once',
    values: { TXT_CODE: 'e\u0301e\u0301e\u0301e\u0301e\u0301' },
    expect: {
      checks: [
        { type: 'stored', variable: 'TXT_CODE', value: 'ééééé' },
        text('TXT_CODE', { lines: ['ééééé'] }),
      ],
    },
  },
  {
    name: 'MaxLength exceeded',
    values: { TXT_CODE: 'ABCDEF' },
    expect: rejected('create', 'VARIABLE_TOO_LONG', 'variables.TXT_CODE'),
  },
  {
    name: 'MaxLength exceeded by flags',
    values: { TXT_CODE: '🇫🇷🇩🇪🇯🇵🇧🇷🇨🇦🇮🇹' },
    expect: rejected('create', 'VARIABLE_TOO_LONG', 'variables.TXT_CODE'),
  },
  {
    name: 'lone surrogate',
    values: { TXT_NAME: 'Ada \ud800' },
    expect: rejected('create', 'TEXT_UNSUPPORTED_CHARACTER', 'variables.TXT_NAME'),
  },
  {
    name: 'variable name in the wrong case',
    values: { txt_name: 'Ada' },
    expect: rejected('create', 'VARIABLE_UNKNOWN', 'variables.txt_name'),
  },
  {
    name: 'Korean not covered',
    values: { TXT_NAME: '김민준' },
    expect: rejected('create', 'TEXT_UNSUPPORTED_CHARACTER', 'variables.TXT_NAME'),
  },
  {
    name: 'private-use character',
    values: { TXT_NAME: 'Ada \ue000' },
    expect: rejected('create', 'TEXT_UNSUPPORTED_CHARACTER', 'variables.TXT_NAME'),
  },
]);

const imageCases = group('image', 'card', [
  {
    name: 'JPEG EXIF 6 turned upright',
    values: { IMG_LOGO: image('orientation-6.jpg') },
    expect: {
      checks: [
        { type: 'image', variable: 'IMG_LOGO' },
        pixels('IMG_LOGO', [
          [54, 6, 'red'],
          [18, 6, 'blue'],
          [54, 64, 'blue'],
          [4, 36, 'background'],
        ]),
      ],
    },
  },
  {
    name: 'JPEG EXIF 8 turned upright',
    values: { IMG_LOGO: image('orientation-8.jpg') },
    expect: {
      checks: [
        { type: 'image', variable: 'IMG_LOGO' },
        pixels('IMG_LOGO', [
          [18, 64, 'red'],
          [54, 6, 'blue'],
          [4, 36, 'background'],
        ]),
      ],
    },
  },
  {
    name: 'JPEG EXIF 3 turned upright',
    values: { IMG_LOGO: image('orientation-3.jpg') },
    expect: {
      checks: [
        { type: 'image', variable: 'IMG_LOGO' },
        pixels('IMG_LOGO', [
          [66, 54, 'red'],
          [6, 18, 'blue'],
          [36, 4, 'background'],
        ]),
      ],
    },
  },
  {
    name: 'CMYK JPEG not negative',
    values: { IMG_LOGO: image('cmyk.jpg') },
    expect: {
      checks: [
        { type: 'image', variable: 'IMG_LOGO' },
        pixels('IMG_LOGO', [
          [6, 18, 'red'],
          [50, 40, 'printBlue'],
          [36, 4, 'background'],
        ]),
      ],
    },
  },
  {
    name: '16-bit PNG',
    values: { IMG_LOGO: image('rgb16.png') },
    expect: {
      checks: [{ type: 'image', variable: 'IMG_LOGO' }, pixels('IMG_LOGO', LANDSCAPE_MARKER_TOP_LEFT)],
    },
  },
  {
    name: 'PNG alpha kept',
    values: { IMG_LOGO: image('alpha.png') },
    expect: {
      checks: [
        { type: 'image', variable: 'IMG_LOGO' },
        pixels('IMG_LOGO', [
          [18, 36, 'green'],
          [54, 36, 'background'],
        ]),
      ],
    },
  },
  {
    name: 'WebP',
    values: { IMG_LOGO: image('marker.webp') },
    expect: {
      checks: [{ type: 'image', variable: 'IMG_LOGO' }, pixels('IMG_LOGO', LANDSCAPE_MARKER_TOP_LEFT)],
    },
  },
  {
    name: 'GIF first frame',
    values: { IMG_LOGO: image('animated.gif') },
    expect: {
      checks: [{ type: 'image', variable: 'IMG_LOGO' }, pixels('IMG_LOGO', LANDSCAPE_MARKER_TOP_LEFT)],
    },
  },
  {
    name: 'Display P3 PNG converted to sRGB',
    values: { IMG_LOGO: image('display-p3.png') },
    // Its red is stored as about (234, 51, 35) in Display P3; only a conversion gives sRGB red.
    expect: {
      checks: [{ type: 'image', variable: 'IMG_LOGO' }, pixels('IMG_LOGO', LANDSCAPE_MARKER_TOP_LEFT)],
    },
  },
  {
    name: 'HEIC rejected',
    values: { IMG_LOGO: image('header-only.heic') },
    // The prebuilt sharp binaries decode AVIF but not HEVC, so HEIC photos are rejected by name.
    expect: rejected('upload', 'IMAGE_INVALID', 'file'),
  },
  {
    name: 'SVG rejected',
    values: { IMG_LOGO: image('remote-reference.svg') },
    expect: rejected('upload', 'UNSUPPORTED_MEDIA_TYPE', 'file'),
  },
  {
    name: 'truncated JPEG rejected',
    values: { IMG_LOGO: image('truncated.jpg') },
    expect: rejected('upload', 'IMAGE_INVALID', 'file'),
  },
  {
    name: 'decompression bomb rejected',
    values: { IMG_LOGO: image('huge-header.png') },
    expect: rejected('upload', 'IMAGE_TOO_LARGE', 'file'),
  },
  {
    name: 'header larger than data rejected',
    values: { IMG_LOGO: image('lying-header.png') },
    expect: rejected('upload', 'IMAGE_INVALID', 'file'),
  },
  {
    name: 'predefined choice',
    values: { IMG_BADGE: 'red' },
    expect: {
      checks: [{ type: 'image', variable: 'IMG_BADGE' }, pixels('IMG_BADGE', [[24, 24, 'badgeRed']])],
    },
  },
  {
    name: 'unknown choice rejected',
    values: { IMG_BADGE: 'purple' },
    expect: rejected('create', 'IMAGE_CHOICE_UNKNOWN', 'variables.IMG_BADGE'),
  },
  {
    name: 'upload to a choice-only variable rejected',
    values: { IMG_BADGE: image('marker.png') },
    expect: rejected('create', 'IMAGE_CHOICE_UNKNOWN', 'variables.IMG_BADGE'),
  },
  {
    name: 'upload not found rejected',
    values: { IMG_PHOTO: 'a1b2c3.png' },
    expect: rejected('create', 'UPLOAD_NOT_FOUND', 'variables.IMG_PHOTO'),
  },
  {
    name: 'cover fills the box',
    values: { IMG_PHOTO: image('marker.png') },
    expect: {
      checks: [
        { type: 'image', variable: 'IMG_PHOTO' },
        pixels('IMG_PHOTO', [
          [36, 4, 'blue'],
          [36, 68, 'blue'],
        ]),
      ],
    },
  },
  {
    name: 'contain shows the whole image',
    values: { IMG_LOGO: image('marker.png') },
    expect: {
      checks: [{ type: 'image', variable: 'IMG_LOGO' }, pixels('IMG_LOGO', LANDSCAPE_MARKER_TOP_LEFT)],
    },
  },
  {
    name: 'focal point kept in the crop',
    values: { IMG_FOCUS: image('marker.png') },
    // Cover scales 60x40 to 108x72, and a centred crop of 36 columns would show only blue.
    expect: {
      checks: [
        { type: 'image', variable: 'IMG_FOCUS' },
        pixels('IMG_FOCUS', [
          [8, 8, 'red'],
          [28, 50, 'blue'],
        ]),
      ],
    },
  },
]);

/**
 * The clip template's VID_CLIP shows a clip whole (`contain`) in a 96x96 box and freezes its last
 * frame. VID_LOOP crops it (`cover`) and loops it. The scene lasts 15 frames at 10 per second. The
 * 64x48 quadrant clips become 96x72 at y 12 in VID_CLIP.
 */
const QUADRANTS: [number, number, ColourName][] = [
  [24, 30, 'quadrantRed'],
  [72, 30, 'quadrantGreen'],
  [24, 66, 'quadrantWhite'],
  [72, 66, 'quadrantGrey'],
];

const clipCases = group('clip', 'clip', [
  {
    name: 'portrait phone clip upright',
    values: { VID_CLIP: clip('portrait-rotate90.mp4') },
    // Shown as 36x64, the clip becomes 54x96 at x 21, with the red marker at its top-right.
    expect: {
      checks: [
        pixels('VID_CLIP', [
          [66, 8, 'red'],
          [30, 8, 'phoneBlue'],
          [66, 80, 'phoneBlue'],
          [10, 48, 'background'],
        ]),
        { type: 'streams' },
      ],
    },
  },
  {
    name: 'variable frame rate clip in time',
    values: { VID_CLIP: upload('variables/fixtures/uploads/vfr-ramp.mp4') },
    expect: {
      checks: [
        { type: 'clip-time', variable: 'VID_CLIP', frame: 5, seconds: 0.5 },
        { type: 'clip-time', variable: 'VID_CLIP', frame: 14, seconds: 1.4 },
        { type: 'streams' },
      ],
    },
  },
  {
    name: 'odd size and non-square pixels',
    values: { VID_CLIP: clip('odd-sar.webm') },
    // Shown as 132x75, the clip becomes 96x55 at y 21. Read with square pixels it would reach y 12.
    expect: {
      checks: [
        pixels('VID_CLIP', [
          [48, 48, 'clipGreen'],
          [48, 15, 'background'],
          [48, 80, 'background'],
        ]),
      ],
    },
  },
  {
    name: '10-bit clip',
    values: { VID_CLIP: clip('10bit.mp4') },
    expect: { checks: [pixels('VID_CLIP', QUADRANTS)] },
  },
  {
    name: 'HDR clip tone mapped',
    values: { VID_CLIP: clip('hdr-pq.mp4') },
    expect: { checks: [pixels('VID_CLIP', QUADRANTS)] },
  },
  {
    name: 'clip without audio',
    values: { VID_CLIP: clip('no-audio.mp4') },
    expect: { checks: [pixels('VID_CLIP', QUADRANTS), { type: 'streams' }] },
  },
  {
    name: 'mono 44.1 kHz clip',
    values: { VID_CLIP: clip('mono-44k.mp4') },
    expect: { checks: [pixels('VID_CLIP', QUADRANTS), { type: 'streams' }] },
  },
  {
    name: 'clip cut before its index rejected',
    values: { VID_CLIP: clip('truncated.mp4') },
    expect: rejected('upload', 'VIDEO_INVALID', 'file'),
  },
  {
    name: 'clip cut in its frames rejected',
    values: { VID_CLIP: clip('truncated-faststart.mp4') },
    expect: rejected('upload', 'VIDEO_INVALID', 'file'),
  },
  {
    name: 'sound without pictures rejected',
    values: { VID_CLIP: clip('audio-only.m4a') },
    expect: rejected('upload', 'VIDEO_INVALID', 'file'),
  },
  {
    name: 'image sent as a clip rejected',
    values: { VID_CLIP: image('marker.png') },
    expect: rejected('create', 'UPLOAD_NOT_FOUND', 'variables.VID_CLIP'),
  },
  {
    name: 'short clip loops to its slot',
    values: { VID_LOOP: clip('ramp.mp4') },
    // ramp.mp4 lasts 1 s: at 0.5 s the slot shows its frame 12, at 1.2 s (looped) its frame 5.
    expect: {
      checks: [
        { type: 'ramp', variable: 'VID_LOOP', frame: 5, rampFrame: 12 },
        { type: 'ramp', variable: 'VID_LOOP', frame: 12, rampFrame: 5 },
      ],
    },
  },
  {
    name: 'short clip freezes to its slot',
    values: { VID_CLIP: clip('ramp.mp4') },
    // At 10 frames per second the last frame taken from the 25 fps clip is the one at 0.9 s (ramp
    // frame 22 or 23); it is held from 1.0 s to the end of the slot.
    expect: {
      checks: [
        { type: 'ramp', variable: 'VID_CLIP', frame: 5, rampFrame: 12 },
        { type: 'ramp', variable: 'VID_CLIP', frame: 12, rampFrame: 23 },
        { type: 'streams' },
      ],
    },
  },
]);

const recipientCases = group('recipient', 'card', [
  {
    name: 'internationalized address accepted',
    values: { TXT_USEREMAIL: 'josé@bücher.example' },
    expect: {
      checks: [
        { type: 'stored', variable: 'TXT_USEREMAIL', value: 'josé@bücher.example' },
        text('TXT_USEREMAIL', { lines: ['josé@bücher.example'] }),
      ],
    },
  },
  {
    name: 'display name rejected',
    values: { TXT_USEREMAIL: 'Ada Lovelace <ada@example.com>' },
    expect: rejected('create', 'EMAIL_INVALID', 'variables.TXT_USEREMAIL'),
  },
  {
    name: 'several addresses rejected',
    values: { TXT_USEREMAIL: 'ada@example.com, grace@example.com' },
    expect: rejected('create', 'EMAIL_INVALID', 'variables.TXT_USEREMAIL'),
  },
  {
    name: 'header injection rejected',
    values: { TXT_USEREMAIL: 'ada@example.com\r\nBcc: eve@example.com' },
    expect: rejected('create', 'EMAIL_INVALID', 'variables.TXT_USEREMAIL'),
  },
  {
    name: 'missing address rejected',
    values: { TXT_USEREMAIL: null },
    expect: rejected('create', 'VARIABLE_REQUIRED', 'variables.TXT_USEREMAIL'),
  },
  {
    name: 'blank address rejected',
    values: { TXT_USEREMAIL: '   ' },
    expect: rejected('create', 'VARIABLE_REQUIRED', 'variables.TXT_USEREMAIL'),
  },
]);

export const CASES: readonly VariableCase[] = [...textCases, ...imageCases, ...clipCases, ...recipientCases];
