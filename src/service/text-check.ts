/**
 * Text checks before a Vidata is queued. Every text layer that shows a value sent by the caller is
 * laid out by the render's own text layout, without drawing it. A text that cannot fit its box, or that has a
 * character no font of the template covers, is then rejected by the create call with the error the
 * render would raise, instead of failing the render later.
 */
import { VidataError } from '../errors.ts';
import { layoutText, loadFonts } from '../engine/raster/index.ts';
import { fillPlaceholders, placeholders, type Template } from '../template/load.ts';
import type { ResolvedValues } from '../template/values.ts';

/** Codes the text rasterizer raises for a value (anything else is the template's or the server's fault). */
const VALUE_CODES = new Set(['TEXT_DOES_NOT_FIT', 'TEXT_UNSUPPORTED_CHARACTER']);

/**
 * Lays out each text layer whose placeholders include a sent variable and returns the problems
 * found, one per field and code. Layers showing only default values are left to the render.
 */
export async function checkTextLayers(
  template: Template,
  values: ResolvedValues,
  sent: ReadonlySet<string>,
): Promise<VidataError[]> {
  const fonts = await loadFonts(template);
  const problems = new Map<string, VidataError>();
  const checked = new Set<string>();
  for (const scene of template.scenes) {
    for (const layer of scene.layers) {
      if (layer.type !== 'text') continue;
      const names = placeholders(layer.text);
      if (!names.some((name) => sent.has(name))) continue;
      const text = fillPlaceholders(layer.text, values.texts);
      // A text whose placeholders all came out empty draws nothing, as in the render.
      if (text.trim() === '') continue;
      // The same text in the same style and box (a repeated title) is laid out once.
      const key = JSON.stringify([text, layer.style, layer.box.w, layer.box.h]);
      if (checked.has(key)) continue;
      checked.add(key);
      // The field is the layer's first variable, as the render's errors name it.
      const field = `variables.${names[0] ?? ''}`;
      try {
        layoutText({ text, style: layer.style, box: layer.box, fonts, field });
      } catch (error) {
        if (!(error instanceof VidataError) || !VALUE_CODES.has(error.code)) throw error;
        problems.set(`${error.field ?? field} ${error.code}`, error);
      }
    }
  }
  return [...problems.values()];
}

/** Loads the template's fonts ahead of the first create call, which would otherwise wait for them. */
export async function prepareTextChecks(template: Template): Promise<void> {
  await loadFonts(template);
}
