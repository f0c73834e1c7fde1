/**
 * Font registration for the raster stage. Text is drawn only with font files that the project ships
 * (npm font packages, resolved from node_modules at run time) or that the template brings. Font
 * lists name only these files' aliases, never a family installed on the host.
 *
 * @napi-rs/canvas keeps one process-wide font table, so each template's families are registered
 * under aliases derived from the template version: two templates that both declare a family called
 * "Brand" get different aliases and never draw with each other's files.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';
import { VidataError } from '../../errors.ts';
import type { Template } from '../../template/load.ts';

const require = createRequire(import.meta.url);

/** One registered font file. */
export interface FontFace {
  /** The canvas family alias this face is registered under. */
  alias: string;
  file: string;
  weight: number;
  italic: boolean;
}

/** The fonts of one template version, ready to be named in a canvas font string. */
export interface FontSet {
  /** Template version the set was made for. */
  readonly version: string;
  /** Template family name to its canvas alias. */
  readonly families: ReadonlyMap<string, string>;
  /**
   * Aliases tried after the layer's own family, in order: the template's `fontFallbacks`, then the
   * project's shipped fonts.
   */
  readonly fallbacks: readonly string[];
  /** Every face registered for this set, template faces first. */
  readonly faces: readonly FontFace[];
}

/** A shipped font package: an npm package of the `@expo-google-fonts` collection. */
interface ShippedFamily {
  packageName: string;
  /** File name prefix inside the package, e.g. `NotoSans` for `NotoSans_400Regular.ttf`. */
  filePrefix: string;
}

/** Families shipped with the project, tried in this order after the template's own fonts. */
const SHIPPED_FAMILIES: readonly ShippedFamily[] = [
  { packageName: '@expo-google-fonts/noto-sans', filePrefix: 'NotoSans' },
];

const WEIGHT_NAMES: Readonly<Record<number, string>> = {
  100: 'Thin',
  200: 'ExtraLight',
  300: 'Light',
  400: 'Regular',
  500: 'Medium',
  600: 'SemiBold',
  700: 'Bold',
  800: 'ExtraBold',
  900: 'Black',
};

let shippedFaces: Promise<FontFace[]> | undefined;
const fontSets = new Map<string, Promise<FontSet>>();

/**
 * Registers the template's fonts and the project's shipped fonts with @napi-rs/canvas. The result is
 * cached per template version, so a template is registered once per process however often it renders.
 * Throws TEMPLATE_INVALID naming `fonts[i].file` when a file is not a font canvas can read.
 */
export async function loadFonts(template: Template): Promise<FontSet> {
  let set = fontSets.get(template.version);
  if (set === undefined) {
    set = buildFontSet(template);
    fontSets.set(template.version, set);
    // A failed registration must not stay cached: the next call reports the problem again.
    set.catch(() => fontSets.delete(template.version));
  }
  return set;
}

async function buildFontSet(template: Template): Promise<FontSet> {
  const shipped = await loadShippedFaces();
  const families = new Map<string, string>();
  const faces: FontFace[] = [];

  template.fonts.forEach((font, index) => {
    let alias = families.get(font.family);
    if (alias === undefined) {
      // Only letters, digits and "-" so the alias needs no escaping inside a CSS font string.
      alias = `vidata-${template.version}-${families.size}`;
      families.set(font.family, alias);
    }
    const file = path.join(template.dir, font.file);
    const key = GlobalFonts.registerFromPath(file, alias, {
      weight: font.weight,
      style: font.italic ? 'italic' : 'normal',
    });
    if (key === null) {
      throw new VidataError('TEMPLATE_INVALID', `Font file "${font.file}" could not be read as a font.`, {
        field: `fonts[${index}].file`,
      });
    }
    faces.push({ alias, file, weight: font.weight, italic: font.italic });
  });

  const templateFallbacks = template.fontFallbacks.flatMap((family) => {
    const alias = families.get(family);
    return alias === undefined ? [] : [alias];
  });
  const shippedAliases = [...new Set(shipped.map((face) => face.alias))];
  return {
    version: template.version,
    families,
    fallbacks: [...templateFallbacks, ...shippedAliases],
    faces: [...faces, ...shipped],
  };
}

/** Registers every weight and style of the shipped families once per process. */
function loadShippedFaces(): Promise<FontFace[]> {
  shippedFaces ??= Promise.resolve().then(() => SHIPPED_FAMILIES.flatMap(registerShippedFamily));
  return shippedFaces;
}

function registerShippedFamily(family: ShippedFamily): FontFace[] {
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve(`${family.packageName}/package.json`));
  } catch (cause) {
    throw new VidataError(
      'INTERNAL',
      `The font package ${family.packageName} is not installed; run npm ci.`,
      {
        cause,
      },
    );
  }
  const alias = `vidata-shipped-${family.filePrefix}`;
  const faces: FontFace[] = [];
  for (const [weight, name] of Object.entries(WEIGHT_NAMES)) {
    for (const italic of [false, true]) {
      const folder = `${weight}${name}${italic ? '_Italic' : ''}`;
      const file = path.join(packageDir, folder, `${family.filePrefix}_${folder}.ttf`);
      const key = GlobalFonts.registerFromPath(file, alias, {
        weight: Number(weight),
        style: italic ? 'italic' : 'normal',
      });
      // Packages of one collection differ in which weights they ship; a missing file is skipped.
      if (key !== null) faces.push({ alias, file, weight: Number(weight), italic });
    }
  }
  if (faces.length === 0) {
    throw new VidataError('INTERNAL', `The font package ${family.packageName} contains no readable font.`);
  }
  return faces;
}

/**
 * Returns the canvas font family list for a template family: its alias, then the fallbacks.
 * Throws TEMPLATE_INVALID when the family is not declared in the template's `fonts`.
 */
export function fontFamilyList(fonts: FontSet, family: string, field?: string): string {
  const alias = fonts.families.get(family);
  if (alias === undefined) {
    throw new VidataError('TEMPLATE_INVALID', `Font "${family}" is not declared in the template's fonts.`, {
      field,
    });
  }
  return [alias, ...fonts.fallbacks.filter((a) => a !== alias)].map((a) => `"${a}"`).join(', ');
}
