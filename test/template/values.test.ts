import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { VidataValidationError } from '../../src/errors.ts';
import { parseTemplate, type Template } from '../../src/template/load.ts';
import { graphemeLength, validateValues, type ValueContext } from '../../src/template/values.ts';
import { clip } from '../media/helpers.ts';

let dir: string;
let template: Template;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vidata-values-'));
  for (const [name, color] of [
    ['red.png', '#ff0000'],
    ['blue.png', '#0000ff'],
    ['gold.png', '#ffd700'],
  ] as const) {
    await sharp({ create: { width: 4, height: 4, channels: 3, background: color } })
      .png()
      .toFile(path.join(dir, name));
  }
  await copyFile(clip('no-audio.mp4'), path.join(dir, 'intro.mp4'));
  template = await parseTemplate(
    {
      formatVersion: 1,
      name: 'values',
      output: { width: 64, height: 48, fps: 25 },
      variables: [
        { Name: 'TXT_USEREMAIL' },
        { Name: 'TXT_NAME', DefaultValue: 'Ada', MaxLength: 5 },
        { Name: 'TXT_CITY' },
        {
          Name: 'IMG_logo.png',
          Width: 32,
          Height: 32,
          DefaultValue: 'red',
          PredefinedChoices: { red: 'red.png', blue: 'blue.png' },
        },
        {
          Name: 'IMG_badge',
          Width: 16,
          Height: 16,
          DefaultValue: 'gold',
          PredefinedChoices: { gold: 'gold.png' },
          AllowUpload: false,
        },
        { Name: 'VID_intro', Width: 64, Height: 48, DefaultValue: 'intro.mp4' },
      ],
      scenes: [
        {
          duration: 1,
          background: { color: '#000000' },
          layers: [
            { type: 'image', variable: 'IMG_logo.png', box: { x: 0, y: 0, w: 32, h: 32 } },
            { type: 'video', variable: 'VID_intro', box: { x: 0, y: 0, w: 64, h: 48 } },
          ],
        },
      ],
    },
    dir,
  );
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EMAIL = 'ada@example.org';

/** Uploads of the test project, by kind. */
const uploads: ValueContext = {
  uploadExists: (filename, kind) =>
    (kind === 'image' && ['photo-1.jpg', 'blue'].includes(filename)) ||
    (kind === 'video' && filename === 'clip-1.mp4'),
};

/** Runs validateValues and returns its problems as { code, field, message } objects. */
async function problems(raw: Record<string, unknown>, context: ValueContext = uploads) {
  try {
    await validateValues(template, raw, context);
  } catch (error) {
    assert.ok(error instanceof VidataValidationError, `unexpected ${String(error)}`);
    return error.problems.map((p) => ({ code: p.code, field: p.field, message: p.message }));
  }
  assert.fail('expected a VidataValidationError');
}

describe('validateValues defaults', () => {
  it('fills every default', async () => {
    const values = await validateValues(template, { TXT_USEREMAIL: EMAIL });
    assert.equal(values.email, EMAIL);
    assert.equal(values.texts.TXT_USEREMAIL, EMAIL);
    assert.equal(values.texts.TXT_NAME, 'Ada');
    assert.equal(values.texts.TXT_CITY, '');
    assert.deepEqual(values.images['IMG_logo.png'], { kind: 'template', path: 'red.png' });
    assert.deepEqual(values.images.IMG_badge, { kind: 'template', path: 'gold.png' });
    assert.deepEqual(values.videos.VID_intro, { kind: 'template', path: 'intro.mp4' });
  });

  it('treats null and empty images as absent', async () => {
    const values = await validateValues(template, {
      TXT_USEREMAIL: EMAIL,
      TXT_NAME: null,
      'IMG_logo.png': '  ',
    });
    assert.equal(values.texts.TXT_NAME, 'Ada');
    assert.deepEqual(values.images['IMG_logo.png'], { kind: 'template', path: 'red.png' });
  });

  it('converts numbers and booleans to text', async () => {
    const values = await validateValues(template, { TXT_USEREMAIL: EMAIL, TXT_NAME: 42, TXT_CITY: true });
    assert.equal(values.texts.TXT_NAME, '42');
    assert.equal(values.texts.TXT_CITY, 'true');
  });
});

describe('validateValues names', () => {
  it('rejects an unknown variable with a hint', async () => {
    const found = await problems({ TXT_USEREMAIL: EMAIL, txt_name: 'Grace' });
    assert.equal(found.length, 1);
    assert.equal(found[0]?.code, 'VARIABLE_UNKNOWN');
    assert.equal(found[0]?.field, 'variables.txt_name');
    assert.match(found[0]?.message ?? '', /Did you mean "TXT_NAME"\? Names are case-sensitive/);
  });

  it('rejects an unknown variable without a hint', async () => {
    const found = await problems({ TXT_USEREMAIL: EMAIL, TXT_SURNAME: 'Lovelace' });
    assert.equal(found[0]?.code, 'VARIABLE_UNKNOWN');
    assert.doesNotMatch(found[0]?.message ?? '', /Did you mean/);
  });

  it('lists every problem at once', async () => {
    const found = await problems({ TXT_NAME: 'Augusta', Img_Logo: 'x', VID_intro: 'nothing.mp4' });
    assert.deepEqual(found.map((p) => p.code).sort(), [
      'UPLOAD_NOT_FOUND',
      'VARIABLE_REQUIRED',
      'VARIABLE_TOO_LONG',
      'VARIABLE_UNKNOWN',
    ]);
  });
});

describe('validateValues text', () => {
  it('counts grapheme clusters for MaxLength', () => {
    assert.equal(graphemeLength('👨‍👩‍👧‍👦'), 1);
    assert.equal(graphemeLength('e\u0301'), 1);
    assert.equal(graphemeLength('q\u0301'), 1);
    assert.equal(graphemeLength('🇫🇷'), 1);
    assert.equal(graphemeLength('👍🏽'), 1);
    assert.equal(graphemeLength('Ada'), 3);
  });

  const withinMax: [string, string][] = [
    ['five family emoji', '👨‍👩‍👧‍👦'.repeat(5)],
    ['five decomposed accents', 'e\u0301'.repeat(5)],
    ['five letters without a precomposed form', 'q\u0301'.repeat(5)],
    ['five flags', '🇫🇷🇩🇪🇯🇵🇧🇷🇨🇦'],
    ['five decomposed Hangul syllables', '\u1100\u1161'.repeat(5)],
  ];
  for (const [label, value] of withinMax) {
    it(`accepts ${label} for MaxLength 5`, async () => {
      assert.ok(value.length > 5, 'more than 5 UTF-16 units');
      const values = await validateValues(template, { TXT_USEREMAIL: EMAIL, TXT_NAME: value });
      assert.equal(values.texts.TXT_NAME, value.normalize('NFC'));
    });
  }

  it('rejects six family emoji for MaxLength 5', async () => {
    const found = await problems({ TXT_USEREMAIL: EMAIL, TXT_NAME: '👨‍👩‍👧‍👦'.repeat(6) });
    assert.equal(found.length, 1);
    assert.equal(found[0]?.code, 'VARIABLE_TOO_LONG');
    assert.equal(found[0]?.field, 'variables.TXT_NAME');
    assert.match(found[0]?.message ?? '', /is 6 characters long; the maximum is 5/);
  });

  it('stores text in NFC', async () => {
    const values = await validateValues(template, { TXT_USEREMAIL: EMAIL, TXT_NAME: 'Jose\u0301' });
    assert.equal(values.texts.TXT_NAME, 'Jos\u00e9');
  });

  it('rejects a control character', async () => {
    const found = await problems({ TXT_USEREMAIL: EMAIL, TXT_CITY: 'Paris\u0007' });
    assert.equal(found[0]?.code, 'VARIABLE_INVALID');
    assert.match(found[0]?.message ?? '', /control character/);
  });

  it('rejects an object value', async () => {
    const found = await problems({ TXT_USEREMAIL: EMAIL, TXT_CITY: { name: 'Paris' } });
    assert.equal(found[0]?.code, 'VARIABLE_INVALID');
    assert.match(found[0]?.message ?? '', /must be a string/);
  });
});

describe('validateValues recipient', () => {
  for (const [label, raw] of [
    ['missing', {}],
    ['empty', { TXT_USEREMAIL: '' }],
    ['blank', { TXT_USEREMAIL: '   ' }],
    ['null', { TXT_USEREMAIL: null }],
  ] as const) {
    it(`requires TXT_USEREMAIL when ${label}`, async () => {
      const found = await problems(raw);
      assert.equal(found.length, 1);
      assert.equal(found[0]?.code, 'VARIABLE_REQUIRED');
      assert.equal(found[0]?.field, 'variables.TXT_USEREMAIL');
    });
  }

  it('accepts no address when not required', async () => {
    const values = await validateValues(template, {}, { requireEmail: false });
    assert.equal(values.email, '');
  });

  it('trims spaces around the address', async () => {
    const values = await validateValues(template, { TXT_USEREMAIL: '  ada@example.org\t' });
    assert.equal(values.email, EMAIL);
  });

  it('keeps an internationalized address as given', async () => {
    const values = await validateValues(template, { TXT_USEREMAIL: 'jose@exämple.fr' });
    assert.equal(values.email, 'jose@exämple.fr');
  });

  for (const address of [
    '"Zoë" <z@example.org>',
    'a@example.org, b@example.org',
    'a@b.c\r\nBcc: x@y.z',
    'ada@example.org\r\n',
    '\nada@example.org',
    'ada.example.org',
    'ada@example',
  ]) {
    it(`rejects ${JSON.stringify(address)}`, async () => {
      const found = await problems({ TXT_USEREMAIL: address });
      assert.equal(found.length, 1);
      assert.equal(found[0]?.code, 'EMAIL_INVALID');
      assert.equal(found[0]?.field, 'variables.TXT_USEREMAIL');
      assert.match(found[0]?.message ?? '', /^TXT_USEREMAIL is invalid: /);
    });
  }
});

describe('validateValues images and clips', () => {
  it('resolves a predefined choice key', async () => {
    const values = await validateValues(template, { TXT_USEREMAIL: EMAIL, 'IMG_logo.png': 'blue' });
    assert.deepEqual(values.images['IMG_logo.png'], { kind: 'template', path: 'blue.png' });
  });

  it('prefers a choice key over an upload of that name', async () => {
    // "blue" is also the Filename of an upload of the project.
    const values = await validateValues(template, { TXT_USEREMAIL: EMAIL, 'IMG_logo.png': 'blue' }, uploads);
    assert.equal(values.images['IMG_logo.png']?.kind, 'template');
  });

  it('resolves an upload', async () => {
    const values = await validateValues(
      template,
      { TXT_USEREMAIL: EMAIL, 'IMG_logo.png': 'photo-1.jpg', VID_intro: 'clip-1.mp4' },
      uploads,
    );
    assert.deepEqual(values.images['IMG_logo.png'], { kind: 'upload', filename: 'photo-1.jpg' });
    assert.deepEqual(values.videos.VID_intro, { kind: 'upload', filename: 'clip-1.mp4' });
  });

  it('rejects an unknown image value with the choices', async () => {
    const found = await problems({ TXT_USEREMAIL: EMAIL, 'IMG_logo.png': 'green' });
    assert.equal(found[0]?.code, 'UPLOAD_NOT_FOUND');
    assert.equal(found[0]?.field, 'variables.IMG_logo.png');
    assert.match(
      found[0]?.message ?? '',
      /neither a predefined choice \(one of "red", "blue"\) nor an upload/,
    );
  });

  it('rejects an upload where only choices are allowed', async () => {
    const found = await problems({ TXT_USEREMAIL: EMAIL, IMG_badge: 'photo-1.jpg' });
    assert.equal(found[0]?.code, 'IMAGE_CHOICE_UNKNOWN');
    assert.match(found[0]?.message ?? '', /not a predefined choice; use one of "gold"/);
  });

  it('rejects an image upload given for a clip', async () => {
    const found = await problems({ TXT_USEREMAIL: EMAIL, VID_intro: 'photo-1.jpg' });
    assert.equal(found[0]?.code, 'UPLOAD_NOT_FOUND');
    assert.equal(found[0]?.field, 'variables.VID_intro');
  });

  it('accepts local files only when allowed', async () => {
    const file = path.join(dir, 'local.png');
    await writeFile(
      file,
      await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } })
        .png()
        .toBuffer(),
    );
    const values = await validateValues(
      template,
      { TXT_USEREMAIL: EMAIL, 'IMG_logo.png': file, VID_intro: path.join(dir, 'intro.mp4') },
      { allowLocalFiles: true },
    );
    assert.deepEqual(values.images['IMG_logo.png'], { kind: 'file', path: file });
    assert.deepEqual(values.videos.VID_intro, { kind: 'file', path: path.join(dir, 'intro.mp4') });

    const found = await problems({ TXT_USEREMAIL: EMAIL, 'IMG_logo.png': file }, {});
    assert.equal(found[0]?.code, 'UPLOAD_NOT_FOUND');
  });

  it('reports a missing local file', async () => {
    const found = await problems(
      { TXT_USEREMAIL: EMAIL, VID_intro: path.join(dir, 'absent.mp4') },
      { allowLocalFiles: true },
    );
    assert.equal(found[0]?.code, 'FILE_NOT_FOUND');
    assert.equal(found[0]?.field, 'variables.VID_intro');
  });
});
