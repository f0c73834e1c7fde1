/**
 * Font registration for the raster stage. Text is drawn only with font files that the project ships
 * (npm font packages, resolved from node_modules at run time) or that the template brings. Font
 * lists name only these files' aliases, never a family installed on the host.
 *
 * @napi-rs/canvas keeps one process-wide font table, so each template's families are registered
 * under aliases derived from the template version: two templates that both declare a family called
 * "Brand" get different aliases and never draw with each other's files.
 */
import { open, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';
import { VidataError } from '../../errors.ts';
import type { Template } from '../../template/load.ts';
import { FontFormatError, readCoverage, type Coverage } from './cmap.ts';
import { SHIPPED_FAMILIES, type ShippedFamily } from './shipped-fonts.ts';

const require = createRequire(import.meta.url);

/** One registered font file. */
export interface FontFace {
  /** The canvas family alias this face is registered under. */
  alias: string;
  file: string;
  weight: number;
  italic: boolean;
  /** Code points the file maps to a glyph. */
  coverage: Coverage;
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

let shippedFaces: Promise<FontFace[]> | undefined;
/**
 * Shipped faces not yet registered with canvas, by alias. Canvas builds a typeface for every
 * registered family a font string names, about 40 MB for the whole shipped list (measured with
 * @napi-rs/canvas 1.2.1), so a family is registered only once a text needs one of its characters.
 */
const unregisteredShipped = new Map<string, FontFace[]>();
// NOTE: registered faces are never removed, because a render may still draw with an older set. A
// process that renders many template versions keeps every version's font files in memory.
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

  for (const [index, font] of template.fonts.entries()) {
    let alias = families.get(font.family);
    if (alias === undefined) {
      // Only letters, digits and "-" so the alias needs no escaping inside a CSS font string.
      alias = `vidata-${template.version}-${families.size}`;
      families.set(font.family, alias);
    }
    const field = `fonts[${index}].file`;
    const file = path.join(template.dir, font.file);
    const coverage = await readTemplateCoverage(file, font.file, field);
    const key = GlobalFonts.registerFromPath(file, alias, {
      weight: font.weight,
      style: font.italic ? 'italic' : 'normal',
    });
    if (key === null) {
      throw new VidataError('TEMPLATE_INVALID', `Font file "${font.file}" could not be read as a font.`, {
        field,
      });
    }
    faces.push({ alias, file, weight: font.weight, italic: font.italic, coverage });
  }

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

async function readTemplateCoverage(file: string, relative: string, field: string): Promise<Coverage> {
  try {
    return readCoverage(await readFile(file));
  } catch (cause) {
    throw new VidataError(
      'TEMPLATE_INVALID',
      `Font file "${relative}" could not be read as a font: ${(cause as Error).message}.`,
      { field, cause },
    );
  }
}

/**
 * Lists every face of the shipped families once per process, in the order of SHIPPED_FAMILIES, with
 * their coverage. They are registered with canvas later, by registerFamilies.
 */
function loadShippedFaces(): Promise<FontFace[]> {
  shippedFaces ??= (async () => {
    const faces: FontFace[] = [];
    for (const family of SHIPPED_FAMILIES) faces.push(...(await registerShippedFamily(family)));
    return faces;
  })();
  return shippedFaces;
}

async function registerShippedFamily(family: ShippedFamily): Promise<FontFace[]> {
  let packageDir: string;
  try {
    // Both font collections keep their main entry at the package root, and some export no package.json.
    packageDir = path.dirname(require.resolve(family.packageName));
  } catch (cause) {
    throw new VidataError(
      'INTERNAL',
      `The font package ${family.packageName} is not installed; run npm ci.`,
      {
        cause,
      },
    );
  }

  const faces: FontFace[] = [];
  // Weights of one family share their character set, so one file per coverage group is read.
  const coverages = new Map<string, Coverage>();
  for (const face of family.faces) {
    const file = path.join(packageDir, face.file);
    let coverage = coverages.get(face.coverageGroup);
    if (coverage === undefined) {
      try {
        coverage = readCoverage(await readCmapOnly(file));
      } catch (cause) {
        throw new VidataError(
          'INTERNAL',
          `The shipped font ${file} cannot be read: ${(cause as Error).message}.`,
          {
            cause,
          },
        );
      }
      coverages.set(face.coverageGroup, coverage);
    }
    const shipped = { alias: face.alias, file, weight: face.weight, italic: face.italic, coverage };
    faces.push(shipped);
    unregisteredShipped.set(face.alias, [...(unregisteredShipped.get(face.alias) ?? []), shipped]);
  }
  return faces;
}

/** TrueType and OpenType signatures: version 1.0, CFF outlines, and Apple's "true". */
const SFNT_SIGNATURES = new Set([0x00010000, 0x4f54544f, 0x74727565]);

/**
 * Returns a font file's bytes for readCoverage. For TrueType and OpenType files, only the cmap
 * table is read, behind a one-table directory, because the shipped CJK faces are 5 to 10 MB and
 * reading the files whole allocates about 17 MB for a moment. Other files (WOFF) are read whole.
 */
async function readCmapOnly(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(12);
    await handle.read(header, 0, 12, 0);
    if (!SFNT_SIGNATURES.has(header.readUInt32BE(0))) return await readFile(file);
    const tableCount = header.readUInt16BE(4);
    const directory = Buffer.alloc(tableCount * 16);
    const { bytesRead } = await handle.read(directory, 0, directory.length, 12);
    if (bytesRead < directory.length) throw new FontFormatError('the table directory is truncated');
    for (let record = 0; record < directory.length; record += 16) {
      if (directory.toString('latin1', record, record + 4) !== 'cmap') continue;
      const offset = directory.readUInt32BE(record + 8);
      const length = directory.readUInt32BE(record + 12);
      const font = Buffer.alloc(28 + length);
      header.copy(font, 0, 0, 4);
      font.writeUInt16BE(1, 4);
      directory.copy(font, 12, record, record + 16);
      font.writeUInt32BE(28, 12 + 8);
      const table = await handle.read(font, 28, length, offset);
      if (table.bytesRead < length) throw new FontFormatError('the cmap table is truncated');
      return font;
    }
    throw new FontFormatError('the font has no cmap table');
  } finally {
    await handle.close();
  }
}

/**
 * Registers with canvas every face of the shipped families named by `aliases` that is not yet
 * registered. A text must be drawn only after the families that cover its characters are
 * registered, because canvas skips an unknown family of the font string and would draw those
 * characters with a font of the host. Template families are registered by loadFonts already.
 */
export function registerFamilies(aliases: Iterable<string>): void {
  for (const alias of aliases) {
    const faces = unregisteredShipped.get(alias);
    if (faces === undefined) continue;
    for (const face of faces) {
      const key = GlobalFonts.registerFromPath(face.file, face.alias, {
        weight: face.weight,
        style: face.italic ? 'italic' : 'normal',
      });
      if (key === null) {
        throw new VidataError('INTERNAL', `The shipped font ${face.file} could not be registered.`);
      }
    }
    unregisteredShipped.delete(alias);
  }
}

/**
 * Returns the aliases tried for a template family, in order: its own alias, then the fallbacks.
 * Throws TEMPLATE_INVALID when the family is not declared in the template's `fonts`.
 */
export function fontChain(fonts: FontSet, family: string, field?: string): string[] {
  const alias = fonts.families.get(family);
  if (alias === undefined) {
    throw new VidataError('TEMPLATE_INVALID', `Font "${family}" is not declared in the template's fonts.`, {
      field,
    });
  }
  return [alias, ...fonts.fallbacks.filter((a) => a !== alias)];
}

/** Returns the canvas font family list (`"alias-1", "alias-2"`) of a template family's chain. */
export function fontFamilyList(fonts: FontSet, family: string, field?: string): string {
  return fontChain(fonts, family, field)
    .map((alias) => `"${alias}"`)
    .join(', ');
}
