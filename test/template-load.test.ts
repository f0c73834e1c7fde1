import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VidataError } from '../src/errors.ts';
import { loadTemplate } from '../src/template/load.ts';

function baseTemplate(): Record<string, unknown> {
  return {
    formatVersion: 1,
    name: 'minimal',
    output: { width: 320, height: 180, fps: 25 },
    variables: [{ Name: 'TXT_USEREMAIL' }, { Name: 'TXT_NAME', DefaultValue: 'Ada', MaxLength: 20 }],
    scenes: [{ duration: 1, background: { color: '#102030' }, layers: [] }],
  };
}

describe('loadTemplate', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vidata-template-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function problemsOf(json: unknown): Promise<string[]> {
    await writeFile(path.join(dir, 'template.json'), JSON.stringify(json));
    try {
      await loadTemplate(dir);
    } catch (error) {
      assert.ok(error instanceof VidataError);
      assert.equal(error.code, 'TEMPLATE_INVALID');
      return (error.details as { path: string; message: string }[]).map((p) => `${p.path}: ${p.message}`);
    }
    assert.fail('expected TEMPLATE_INVALID');
  }

  it('loads a minimal template', async () => {
    await writeFile(path.join(dir, 'template.json'), JSON.stringify(baseTemplate()));
    const template = await loadTemplate(dir);
    assert.equal(template.frameCount, 25);
    assert.equal(template.duration, 1);
    assert.match(template.version, /^[0-9a-f]{16}$/);
  });

  it('reports a zero box width with its path', async () => {
    const json = baseTemplate();
    json.fonts = [];
    json.scenes = [
      { duration: 1, background: { color: '#000000' } },
      { duration: 1, background: { color: '#000000' } },
      {
        duration: 1,
        background: { color: '#000000' },
        layers: [{ type: 'image', src: 'a.png', box: { x: 0, y: 0, w: 0, h: 10 } }],
      },
    ];
    assert.deepEqual(await problemsOf(json), ['scenes[2].layers[0].box.w: must be > 0']);
  });

  it('reports every problem at once', async () => {
    const json = baseTemplate();
    json.output = { width: 321, height: 180, fps: 25, coverFrame: 999 };
    const problems = await problemsOf(json);
    assert.deepEqual(problems, ['output.width: must be even (yuv420p)']);
  });

  it('reports references to undeclared variables, fonts and files', async () => {
    const json = baseTemplate();
    json.scenes = [
      {
        duration: 2,
        background: { image: 'missing.png' },
        layers: [
          {
            type: 'text',
            text: 'Hi {{TXT_NOPE}}',
            style: { font: 'Nope', size: 20 },
            box: { x: 0, y: 0, w: 10, h: 10 },
          },
          { type: 'image', variable: 'TXT_NAME', box: { x: 0, y: 0, w: 10, h: 10 }, start: 1, end: 3 },
        ],
      },
    ];
    const problems = await problemsOf(json);
    assert.ok(
      problems.includes('scenes[0].layers[0].style.font: font "Nope" is not declared in fonts'),
      problems.join('\n'),
    );
    assert.ok(problems.includes('scenes[0].layers[0].text: variable "TXT_NOPE" is not declared'));
    assert.ok(
      problems.includes(
        'scenes[0].layers[1].variable: variable "TXT_NAME" is a text variable, expected image',
      ),
    );
    assert.ok(problems.includes("scenes[0].layers[1].end: must be <= the scene's duration (2)"));
    assert.ok(
      problems.includes('scenes[0].background.image: file "missing.png" not found in the template folder'),
    );
  });

  it('requires TXT_USEREMAIL to be declared', async () => {
    const json = baseTemplate();
    json.variables = [];
    assert.deepEqual(await problemsOf(json), [
      "variables: must declare TXT_USEREMAIL (the recipient's address)",
    ]);
  });

  it('rejects a path leaving the template folder', async () => {
    const json = baseTemplate();
    json.soundtrack = { file: '../secret.mp3' };
    assert.deepEqual(await problemsOf(json), [
      'soundtrack.file: must be a path inside the template folder (no leading "/", no "..")',
    ]);
  });
});
