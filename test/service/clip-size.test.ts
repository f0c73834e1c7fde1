import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { clipSize, clipSlots } from '../../src/service/uploads/clip.ts';
import { loadTemplate } from '../../src/template/load.ts';

const FIXTURES = path.resolve(import.meta.dirname, '..');

const displayed = (displayWidth: number, displayHeight: number) => ({ displayWidth, displayHeight });

describe('clipSize', () => {
  it('fits inside a contain slot', () => {
    // 132x75 (99x75 with 4:3 pixels) in 96x96: 96 x 54.5, rounded to even sides.
    assert.deepEqual(clipSize(displayed(132, 75), [{ width: 96, height: 96, fit: 'contain' }]), {
      width: 96,
      height: 54,
    });
  });

  it('covers a cover slot', () => {
    // A 16:9 clip covering a 9:16 box must be as tall as the box.
    assert.deepEqual(clipSize(displayed(1920, 1080), [{ width: 360, height: 640, fit: 'cover' }]), {
      width: 1138,
      height: 640,
    });
  });

  it('takes the most demanding slot', () => {
    const slots = [
      { width: 320, height: 180, fit: 'contain' as const },
      { width: 1280, height: 720, fit: 'contain' as const },
    ];
    assert.deepEqual(clipSize(displayed(3840, 2160), slots), { width: 1280, height: 720 });
  });

  it('never enlarges a clip', () => {
    assert.deepEqual(clipSize(displayed(64, 48), [{ width: 1280, height: 720, fit: 'contain' }]), {
      width: 64,
      height: 48,
    });
    // An odd side is rounded to the nearest even number.
    assert.deepEqual(clipSize(displayed(99, 75), [{ width: 1280, height: 720, fit: 'cover' }]), {
      width: 100,
      height: 76,
    });
  });
});

describe('clipSlots', () => {
  it("lists each VID_ variable's size and each box that shows it", async () => {
    const template = await loadTemplate(path.join(FIXTURES, 'variables/fixtures/clip'));
    assert.deepEqual(clipSlots(template), [
      { width: 96, height: 96, fit: 'contain' },
      { width: 96, height: 96, fit: 'cover' },
      { width: 96, height: 96, fit: 'contain' },
      { width: 96, height: 96, fit: 'cover' },
    ]);
  });

  it('uses the output frame of a template without VID_ variables', async () => {
    const template = await loadTemplate(path.join(FIXTURES, 'variables/fixtures/card'));
    const { width, height } = template.output;
    assert.deepEqual(clipSlots(template), [{ width, height, fit: 'contain' }]);
  });
});
