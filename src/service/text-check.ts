/**
 * Text checks before a Vidata is queued. Every text layer that shows a value sent by the caller is
 * checked by the render's own text layout rules (`checkText`), without drawing it. A text that
 * cannot fit its box, or that has a character no font of the template covers, is then rejected by
 * the create call with the error the render would raise, instead of failing the render later.
 */
import { VidataError } from '../errors.ts';
import { checkText, loadFonts } from '../engine/raster/index.ts';
import { fillPlaceholders, placeholders, type Template } from '../template/load.ts';
import type { ResolvedValues } from '../template/values.ts';

/** Codes the text rasterizer raises for a value (anything else is the template's or the server's fault). */
const VALUE_CODES = new Set(['TEXT_DOES_NOT_FIT', 'TEXT_UNSUPPORTED_CHARACTER']);

/** A text layer that shows variables, with what the check needs prepared once per template. */
interface CheckedLayer {
  layer: Extract<Template['scenes'][number]['layers'][number], { type: 'text' }>;
  names: string[];
  /** The field errors name: the layer's first variable, as the render's errors do. */
  field: string;
  /** Style and box: with the filled text, identifies a layout already checked in this call. */
  layoutKey: string;
}

const checkedLayers = new WeakMap<Template, CheckedLayer[]>();

/** Returns the template's text layers that show variables, parsed once per template. */
function textLayers(template: Template): CheckedLayer[] {
  let layers = checkedLayers.get(template);
  if (layers === undefined) {
    layers = [];
    for (const scene of template.scenes) {
      for (const layer of scene.layers) {
        if (layer.type !== 'text') continue;
        const names = placeholders(layer.text);
        if (names.length === 0) continue;
        layers.push({
          layer,
          names,
          field: `variables.${names[0] ?? ''}`,
          layoutKey: JSON.stringify([layer.style, layer.box.w, layer.box.h]),
        });
      }
    }
    checkedLayers.set(template, layers);
  }
  return layers;
}

/**
 * Checks each text layer whose placeholders include a sent variable and returns the problems
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
  for (const { layer, names, field, layoutKey } of textLayers(template)) {
    if (!names.some((name) => sent.has(name))) continue;
    const text = fillPlaceholders(layer.text, values.texts);
    // A text whose placeholders all came out empty draws nothing, as in the render.
    if (text.trim() === '') continue;
    // The same text in the same style and box (a repeated title) is checked once.
    const key = `${layoutKey}\u0000${text}`;
    if (checked.has(key)) continue;
    checked.add(key);
    try {
      checkText({ text, style: layer.style, box: layer.box, fonts, field });
    } catch (error) {
      if (!(error instanceof VidataError) || !VALUE_CODES.has(error.code)) throw error;
      problems.set(`${error.field ?? field} ${error.code}`, error);
    }
  }
  return [...problems.values()];
}

/**
 * Loads the template's fonts and checks each text layer once with the example values, ahead of
 * the first create call: canvas reads a font's file on its first measure, and the first measures
 * of the common letters fill checkText's cache. A problem with the examples is the create call's
 * to report, not this warm-up's.
 */
export async function prepareTextChecks(template: Template): Promise<void> {
  await loadFonts(template);
  const texts: Record<string, string> = {};
  for (const variable of template.variables) {
    if (variable.kind !== 'text' && variable.kind !== 'map') continue;
    texts[variable.Name] = variable.ExampleValue ?? variable.DefaultValue ?? variable.Name;
  }
  const all = new Set(Object.keys(texts));
  await checkTextLayers(template, { texts, images: {}, videos: {}, email: '' }, all);
}
