import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { VidataError } from '../../src/errors.ts';
import { loadFonts } from '../../src/engine/raster/fonts.ts';
import { rasterizeText } from '../../src/engine/raster/text.ts';
import { loadTemplate } from '../../src/template/load.ts';
import { decodePixels, inkCount, makeFontTemplate, packageFont, style } from './helpers.ts';

describe('loadFonts', () => {
  it('caches the set per template version', async () => {
    const template = await makeFontTemplate();
    assert.equal(await loadFonts(template), await loadFonts(template));
  });

  it('keeps same-named families of two templates apart', async () => {
    const montserrat = await makeFontTemplate();
    // The second template calls Inter "Brand" too.
    const inter = await makeFontTemplate({ name: 'other template' });
    await copyFile(
      packageFont('@expo-google-fonts/inter', '400Regular/Inter_400Regular.ttf'),
      path.join(inter.dir, 'brand-regular.ttf'),
    );
    const interTemplate = await loadTemplate(inter.dir);
    const first = await loadFonts(montserrat);
    const second = await loadFonts(interTemplate);
    assert.notEqual(first.families.get('Brand'), second.families.get('Brand'));

    const draw = async (fonts: typeof first) =>
      rasterizeText({
        text: 'Wavy Quartz',
        style: style({ size: 40, maxLines: 1 }),
        box: { w: 400, h: 80 },
        fonts,
      });
    const a = await draw(first);
    const b = await draw(second);
    assert.notDeepEqual(a.png, b.png, 'the two templates draw with different files');
    // Drawing the first template again after registering the second still gives its own pixels.
    assert.deepEqual((await draw(first)).png, a.png);
  });

  it('picks the face closest to the weight', async () => {
    const fonts = await loadFonts(await makeFontTemplate());
    const draw = async (weight: number) => {
      const raster = await rasterizeText({
        text: 'Lovelace',
        style: style({ size: 40, weight, maxLines: 1 }),
        box: { w: 400, h: 80 },
        fonts,
      });
      return inkCount(await decodePixels(raster.png));
    };
    const regular = await draw(400);
    const bold = await draw(700);
    // The template declares regular (400) and bold (700) files: 800 is drawn with the bold one.
    assert.ok(bold > regular * 1.25, `bold ${bold} vs regular ${regular} inked pixels`);
    assert.equal(await draw(800), bold);
  });

  it('rejects a font file that is not a font', async () => {
    const template = await makeFontTemplate();
    await writeFile(path.join(template.dir, 'brand-bold.ttf'), 'not a font');
    const broken = await loadTemplate(template.dir);
    await assert.rejects(loadFonts(broken), (error: unknown) => {
      assert.ok(error instanceof VidataError);
      assert.equal(error.code, 'TEMPLATE_INVALID');
      assert.equal(error.field, 'fonts[1].file');
      return true;
    });
  });
});
