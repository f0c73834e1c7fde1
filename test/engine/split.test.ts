import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cacheKeyHash, planRender } from '../../src/engine/plan.ts';
import { resolveInputs } from '../../src/engine/resolve.ts';
import { splitPersonalizedSpans } from '../../src/engine/split.ts';
import type { Workspace } from '../../src/engine/workspace.ts';
import { loadTemplate } from '../../src/template/load.ts';
import { validateValues } from '../../src/template/values.ts';
import { REPO, tools } from './media-checks.ts';

/** A workspace for stages that write nothing (no map provider, so no map file). */
const readOnlyWorkspace: Workspace = {
  dir: '/nonexistent',
  signal: new AbortController().signal,
  file: () => {
    throw new Error('this test writes no file');
  },
  track: (task) => task,
};

async function planWelcome(name: string) {
  const template = await loadTemplate(path.join(REPO, 'templates/welcome'));
  const values = await validateValues(template, { TXT_NAME: name }, { requireEmail: false });
  const scenes = await resolveInputs({ template, values, ffmpeg: tools, workspace: readOnlyWorkspace });
  return splitPersonalizedSpans(planRender({ template, scenes, ffmpegVersion: 'ffmpeg test' }));
}

describe('splitPersonalizedSpans', () => {
  it('cuts the welcome template at its personalized spans', async () => {
    const plan = await planWelcome('Ada');
    // [first frame, frames, static]. The intro is static. The other scenes show their personalized
    // layers from 0.3 s to 1.9 s, 0.3 s to 2.1 s, 0.3 s to 2 s and 1 s to 2.3 s, then static frames.
    assert.deepEqual(
      plan.segments.map((s) => [s.startFrame, s.frames, s.static]),
      [
        [0, 150, true],
        [150, 9, true],
        [159, 48, false],
        [207, 93, true],
        [300, 9, true],
        [309, 54, false],
        [363, 147, true],
        [510, 9, true],
        [519, 51, false],
        [570, 150, true],
        [720, 30, true],
        [750, 39, false],
        [789, 111, true],
      ],
    );
    assert.equal(
      plan.segments.reduce((sum, s) => sum + s.frames, 0),
      plan.frameCount,
    );
  });

  it('gives static spans keys that do not depend on the values', async () => {
    const ada = await planWelcome('Ada');
    const grace = await planWelcome('Grace Hopper');
    const keys = (plan: typeof ada) =>
      plan.segments.filter((s) => s.static).map((s) => cacheKeyHash(s.cacheKey));
    assert.deepEqual(keys(ada), keys(grace));
    assert.equal(new Set(keys(ada)).size, 9, 'every static span has its own key');
  });
});
