import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { VidataError, type ErrorCode } from '../../src/errors.ts';
import { coverCrop, inspectImage, rasterizeImage } from '../../src/engine/raster/image.ts';
import { FIXTURES, decodePixels, type Pixels } from './helpers.ts';

const fixture = (name: string) => path.join(FIXTURES, name);

function isRed([r, g, b, a]: [number, number, number, number]): boolean {
  return r > 200 && g < 60 && b < 60 && a === 255;
}

function isBlue([r, g, b, a]: [number, number, number, number]): boolean {
  return r < 60 && g < 60 && b > 200 && a === 255;
}

/** Blue after a trip through CMYK, whose gamut has no pure sRGB blue. */
function isMostlyBlue([r, g, b, a]: [number, number, number, number]): boolean {
  return b > r + 60 && b > g + 60 && a === 255;
}

async function raster(
  name: string,
  options: Partial<Parameters<typeof rasterizeImage>[0]> = {},
): Promise<Pixels> {
  const png = await rasterizeImage({ file: fixture(name), width: 60, height: 40, fit: 'cover', ...options });
  return decodePixels(png);
}

async function assertCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof VidataError, String(error));
    assert.equal(error.code, code);
    return true;
  });
}

describe('rasterizeImage', () => {
  it('returns exactly the requested size', async () => {
    for (const fit of ['cover', 'contain'] as const) {
      const pixels = await raster('marker.png', { width: 33, height: 71, fit });
      assert.equal(pixels.width, 33, fit);
      assert.equal(pixels.height, 71, fit);
    }
  });

  it('turns an EXIF orientation 6 photo upright', async () => {
    // Stored 60x40 with the marker top-left; displayed 40x60 with the marker top-right.
    const pixels = await raster('orientation-6.jpg', { width: 40, height: 60 });
    assert.ok(isRed(pixels.at(35, 4)), `top-right is ${pixels.at(35, 4).join(',')}`);
    assert.ok(isBlue(pixels.at(4, 4)), `top-left is ${pixels.at(4, 4).join(',')}`);
    assert.ok(isBlue(pixels.at(35, 55)));
    const info = await inspectImage(fixture('orientation-6.jpg'));
    assert.deepEqual(info, { format: 'jpeg', width: 40, height: 60 });
  });

  it('crops with cover and pads with contain', async () => {
    // A 60x40 picture into a 40x40 square.
    const cover = await raster('marker.png', { width: 40, height: 40, fit: 'cover' });
    const contain = await raster('marker.png', { width: 40, height: 40, fit: 'contain' });
    // Cover scales by 1 and crops 10 columns from each side: the 12px marker keeps 2 columns.
    assert.ok(isRed(cover.at(0, 0)));
    assert.ok(isBlue(cover.at(3, 0)));
    assert.equal(cover.at(20, 39)[3], 255, 'cover has no transparent bars');
    // Contain scales by 2/3 to 40x27 and centres it: transparent bars above and below.
    assert.equal(contain.at(20, 0)[3], 0, 'contain has a transparent bar at the top');
    assert.equal(contain.at(20, 39)[3], 0, 'contain has a transparent bar at the bottom');
    assert.ok(isBlue(contain.at(30, 20)));
    assert.ok(isRed(contain.at(2, 9)));
  });

  it('keeps the focal point in view with cover', async () => {
    const left = await raster('marker.png', { width: 40, height: 40, focalPoint: { x: 0, y: 0.5 } });
    const right = await raster('marker.png', { width: 40, height: 40, focalPoint: { x: 1, y: 0.5 } });
    assert.ok(isRed(left.at(10, 5)), 'the marker is fully in view');
    assert.ok(isBlue(right.at(2, 5)), 'the marker is cropped away');
    assert.deepEqual(
      coverCrop({ width: 60, height: 40 }, { width: 40, height: 40, focalPoint: { x: 1, y: 0.5 } }),
      {
        scaledWidth: 60,
        scaledHeight: 40,
        left: 20,
        top: 0,
      },
    );
  });

  it('keeps transparency', async () => {
    const pixels = await raster('alpha.png');
    assert.equal(pixels.at(10, 20)[3], 255);
    assert.equal(pixels.at(50, 20)[3], 0);
  });

  it('cuts rounded corners', async () => {
    const pixels = await raster('marker.png', { radius: 20 });
    assert.equal(pixels.at(0, 0)[3], 0, 'corner is transparent');
    assert.equal(pixels.at(59, 39)[3], 0, 'opposite corner is transparent');
    assert.equal(pixels.at(30, 20)[3], 255, 'centre is opaque');
    assert.equal(pixels.at(30, 0)[3], 255, 'middle of the top edge is opaque');
  });

  it('converts CMYK and 16-bit images to 8-bit sRGB', async () => {
    for (const name of ['cmyk.jpg', 'rgb16.png']) {
      const pixels = await raster(name);
      assert.equal(pixels.channels, 4);
      assert.ok(isRed(pixels.at(4, 4)), `${name} marker is ${pixels.at(4, 4).join(',')}`);
      // Read as RGB without conversion, CMYK blue (C and M full, Y and K empty) would look yellow.
      assert.ok(isMostlyBlue(pixels.at(40, 30)), `${name} background is ${pixels.at(40, 30).join(',')}`);
    }
  });

  it('rejects a truncated JPEG with IMAGE_INVALID', async () => {
    await assertCode(
      rasterizeImage({ file: fixture('truncated.jpg'), width: 60, height: 40, fit: 'cover' }),
      'IMAGE_INVALID',
    );
  });

  it('rejects a corrupt PNG with IMAGE_INVALID', async () => {
    await assertCode(
      rasterizeImage({ file: fixture('garbage.png'), width: 60, height: 40, fit: 'cover' }),
      'IMAGE_INVALID',
    );
  });

  it('rejects a header that lies about its size', async () => {
    await assertCode(
      rasterizeImage({ file: fixture('lying-header.png'), width: 60, height: 40, fit: 'cover' }),
      'IMAGE_INVALID',
    );
  });

  it('rejects too many pixels before decoding', async () => {
    await assertCode(
      rasterizeImage({ file: fixture('huge-header.png'), width: 60, height: 40, fit: 'cover' }),
      'IMAGE_TOO_LARGE',
    );
    await assertCode(
      rasterizeImage({
        file: fixture('marker.png'),
        width: 60,
        height: 40,
        fit: 'cover',
        limits: { maxPixels: 2000 },
      }),
      'IMAGE_TOO_LARGE',
    );
  });

  it('rejects SVG', async () => {
    await assertCode(
      rasterizeImage({ file: fixture('remote-reference.svg'), width: 60, height: 40, fit: 'cover' }),
      'IMAGE_INVALID',
    );
  });

  it('reports a missing file as FILE_NOT_FOUND', async () => {
    await assertCode(
      rasterizeImage({ file: fixture('missing.png'), width: 60, height: 40, fit: 'cover' }),
      'FILE_NOT_FOUND',
    );
  });
});
