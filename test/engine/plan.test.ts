import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ENCODER } from '../../src/engine/codec.ts';
import { cacheKeyHash, planRender, sceneVariables } from '../../src/engine/plan.ts';
import { resolveInputs } from '../../src/engine/resolve.ts';
import type { Workspace } from '../../src/engine/workspace.ts';
import { loadTemplate } from '../../src/template/load.ts';
import type { Scene } from '../../src/template/schema.ts';
import { validateValues } from '../../src/template/values.ts';
import { BASIC_TEMPLATE, REPO, tools } from './media-checks.ts';

/** A workspace for stages that write nothing (no map provider, so no map file). */
const readOnlyWorkspace: Workspace = {
  dir: '/nonexistent',
  signal: new AbortController().signal,
  file: () => {
    throw new Error('this test writes no file');
  },
  track: (task) => task,
};

async function planBasic(values: Record<string, string>, ffmpegVersion = 'ffmpeg test') {
  const template = await loadTemplate(BASIC_TEMPLATE);
  const resolved = await validateValues(template, values, { requireEmail: false });
  const scenes = await resolveInputs({
    template,
    values: resolved,
    ffmpeg: tools,
    workspace: readOnlyWorkspace,
  });
  return { template, plan: planRender({ template, scenes, ffmpegVersion }) };
}

function scene(layers: unknown[]): Scene {
  return { duration: 1, background: { color: '#000000' }, layers } as Scene;
}

describe('planRender', () => {
  it('makes one segment per scene in whole frames', async () => {
    const { template, plan } = await planBasic({});
    assert.deepEqual(
      plan.segments.map((s) => [s.index, s.startFrame, s.frames]),
      [
        [0, 0, 25],
        [1, 25, 30],
        [2, 55, 20],
      ],
    );
    assert.equal(plan.frameCount, template.frameCount);
    assert.equal(plan.duration, 3);
  });

  it('marks a scene without variables as static', async () => {
    const { plan } = await planBasic({ TXT_NAME: 'Zoë' });
    assert.equal(plan.segments[0]?.static, true);
    assert.deepEqual(plan.segments[0]?.variables, []);
  });

  it('marks scenes with a placeholder or an image variable as dynamic', async () => {
    const { plan } = await planBasic({ TXT_NAME: 'Zoë' });
    assert.equal(plan.segments[1]?.static, false);
    assert.deepEqual(plan.segments[1]?.variables, ['IMG_photo.png', 'TXT_NAME']);
    assert.equal(plan.segments[2]?.static, false);
    assert.deepEqual(plan.segments[2]?.variables, ['TXT_NAME']);
  });

  it('gives a static segment the same cache key whatever the values', async () => {
    const a = await planBasic({ TXT_NAME: 'Zoë' });
    const b = await planBasic({ TXT_NAME: 'Grace', 'IMG_photo.png': 'blue' });
    const keyA = a.plan.segments[0]?.cacheKey;
    const keyB = b.plan.segments[0]?.cacheKey;
    assert.ok(keyA);
    assert.ok(keyB);
    assert.equal(cacheKeyHash(keyA), cacheKeyHash(keyB));
    assert.equal(keyA.templateVersion, a.template.version);
    assert.deepEqual(keyA.encoder, ENCODER);
    assert.equal(keyA.sceneIndex, 0);
  });

  it('changes the cache key with the ffmpeg version', async () => {
    const a = await planBasic({}, 'ffmpeg 4.1');
    const b = await planBasic({}, 'ffmpeg 5.1');
    assert.notEqual(
      cacheKeyHash(a.plan.segments[0]?.cacheKey as never),
      cacheKeyHash(b.plan.segments[0]?.cacheKey as never),
    );
  });

  it('marks only the intro of the welcome template as static', async () => {
    const template = await loadTemplate(path.join(REPO, 'templates/welcome'));
    const values = await validateValues(template, {}, { requireEmail: false });
    const scenes = await resolveInputs({ template, values, ffmpeg: tools, workspace: readOnlyWorkspace });
    const plan = planRender({ template, scenes, ffmpegVersion: 'ffmpeg test' });
    // Greeting and profile show the name, agency the address, call-to-action the e-mail address.
    assert.deepEqual(
      plan.segments.map((s) => s.static),
      [true, false, false, false, false],
    );
    assert.deepEqual(plan.segments[4]?.variables, ['TXT_USEREMAIL']);
  });

  it('plans the soundtrack from the template', async () => {
    const { template, plan } = await planBasic({});
    assert.equal(plan.audio.soundtrack?.file, `${template.dir}/music.m4a`);
    assert.equal(plan.audio.soundtrack?.fadeOut, 0.5);
    assert.deepEqual(plan.audio.clips, []);
  });
});

describe('sceneVariables', () => {
  it('finds placeholders, image, map and clip variables', () => {
    const variables = sceneVariables(
      scene([
        { type: 'text', text: 'Hi {{TXT_A}} and {{ TXT_B }}', box: { x: 0, y: 0, w: 1, h: 1 } },
        { type: 'image', variable: 'IMG_x.png', box: { x: 0, y: 0, w: 1, h: 1 } },
        { type: 'map', variable: 'TXT_MAP_y.png', box: { x: 0, y: 0, w: 1, h: 1 } },
        { type: 'video', variable: 'VID_z', box: { x: 0, y: 0, w: 1, h: 1 } },
      ]),
    );
    assert.deepEqual(variables, ['IMG_x.png', 'TXT_A', 'TXT_B', 'TXT_MAP_y.png', 'VID_z']);
  });

  it('finds none in literal text and template images', () => {
    const variables = sceneVariables(
      scene([
        { type: 'text', text: 'Hello {world}', box: { x: 0, y: 0, w: 1, h: 1 } },
        { type: 'image', src: 'logo.png', box: { x: 0, y: 0, w: 1, h: 1 } },
        { type: 'video', src: 'clip.mp4', box: { x: 0, y: 0, w: 1, h: 1 } },
      ]),
    );
    assert.deepEqual(variables, []);
  });
});
