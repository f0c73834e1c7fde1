import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sniffFormat } from '../../src/service/uploads/inspect.ts';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffFormat', () => {
  it('recognizes each accepted format by its first bytes', () => {
    const cases: [Buffer, string][] = [
      [bytes([0xff, 0xd8, 0xff, 0xe0]), 'jpg'],
      [bytes([0x89], 'PNG\r\n', [0x1a, 0x0a]), 'png'],
      [bytes('GIF89a'), 'gif'],
      [bytes('GIF87a'), 'gif'],
      [bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '), 'webp'],
      [bytes([0x1a, 0x45, 0xdf, 0xa3]), 'webm'],
      [bytes([0, 0, 0, 0x20], 'ftypisom'), 'mp4'],
      [bytes([0, 0, 0, 0x14], 'ftypqt  '), 'mov'],
      [bytes([0, 0, 0, 0x1c], 'ftypavif', [0, 0, 0, 0], 'avifmif1miaf'), 'avif'],
    ];
    for (const [head, extension] of cases) {
      assert.equal(sniffFormat(Buffer.concat([head, Buffer.alloc(64)]))?.extension, extension);
    }
  });

  it('rejects everything else, SVG included', () => {
    for (const text of ['<svg xmlns="http://www.w3.org/2000/svg"/>', '%PDF-1.7', 'RIFF....WAVE', '']) {
      assert.equal(sniffFormat(Buffer.concat([Buffer.from(text), Buffer.alloc(64)])), undefined, text);
    }
  });
});
