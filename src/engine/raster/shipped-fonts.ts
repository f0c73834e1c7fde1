/**
 * The fonts shipped with the project as npm dependencies, tried after a template's own fonts. All are
 * under the SIL Open Font License 1.1. They give every text a glyph for Latin, Greek and Cyrillic,
 * Arabic, Hebrew, Devanagari, Thai, Japanese, Simplified Chinese, and colour emoji.
 */

/** One file of a shipped family, relative to its package folder. */
export interface ShippedFace {
  /** Canvas family alias; several files may share one when they differ only in weight or style. */
  alias: string;
  file: string;
  weight: number;
  italic: boolean;
  /** Files of one group cover the same characters, so the coverage is read from the first only. */
  coverageGroup: string;
}

export interface ShippedFamily {
  packageName: string;
  faces: ShippedFace[];
}

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

/**
 * Lists the faces of a family of the `@expo-google-fonts` collection: one static TTF per weight
 * (and per style), laid out as `<weight><Name>[_Italic]/<Prefix>_<weight><Name>[_Italic].ttf`. The
 * regular weight is listed first so that its file gives the family's coverage.
 */
function expoFamily(packageName: string, prefix: string, options: { italic: boolean }): ShippedFamily {
  const alias = `vidata-shipped-${prefix}`;
  const weights = [
    400,
    ...Object.keys(WEIGHT_NAMES)
      .map(Number)
      .filter((w) => w !== 400),
  ];
  const faces: ShippedFace[] = [];
  for (const weight of weights) {
    for (const italic of options.italic ? [false, true] : [false]) {
      const folder = `${weight}${WEIGHT_NAMES[weight]}${italic ? '_Italic' : ''}`;
      faces.push({ alias, file: `${folder}/${prefix}_${folder}.ttf`, weight, italic, coverageGroup: prefix });
    }
  }
  return { packageName, faces };
}

/**
 * Noto Color Emoji from `@fontsource/noto-color-emoji`, which splits the font into subsets by
 * character range. The "emoji" subset contains the emoji code points and their sequences (skin tones,
 * flags, ZWJ sequences); numbered subsets contain the rest. Each subset gets its own alias, so each is
 * an entry of the fallback list and never competes with the others for one family and style. The
 * WOFF files are used, not WOFF2: WOFF compresses each table on its own, so reading the coverage
 * inflates only the cmap table instead of the whole font.
 */
function fontsourceEmoji(): ShippedFamily {
  const subsets = ['emoji', ...Array.from({ length: 11 }, (_, i) => String(i))];
  return {
    packageName: '@fontsource/noto-color-emoji',
    faces: subsets.map((subset) => ({
      alias: `vidata-shipped-NotoColorEmoji-${subset}`,
      file: `files/noto-color-emoji-${subset}-400-normal.woff`,
      weight: 400,
      italic: false,
      coverageGroup: subset,
    })),
  };
}

/**
 * Shipped families in the order they are tried. Ideographs that both Noto Sans JP and Noto Sans SC
 * cover are drawn with the Japanese glyph shapes. A template for Chinese readers gets the Chinese
 * shapes by listing a Chinese font in its own `fonts` or `fontFallbacks`.
 */
export const SHIPPED_FAMILIES: readonly ShippedFamily[] = [
  expoFamily('@expo-google-fonts/noto-sans', 'NotoSans', { italic: true }),
  expoFamily('@expo-google-fonts/noto-sans-arabic', 'NotoSansArabic', { italic: false }),
  // Heebo: Hebrew and Latin, from the same collection; Noto Sans Hebrew is not packaged in it.
  expoFamily('@expo-google-fonts/heebo', 'Heebo', { italic: false }),
  expoFamily('@expo-google-fonts/noto-sans-devanagari', 'NotoSansDevanagari', { italic: false }),
  expoFamily('@expo-google-fonts/noto-sans-thai', 'NotoSansThai', { italic: false }),
  expoFamily('@expo-google-fonts/noto-sans-jp', 'NotoSansJP', { italic: false }),
  // Simplified Chinese ideographs that Japanese does not use.
  expoFamily('@expo-google-fonts/noto-sans-sc', 'NotoSansSC', { italic: false }),
  fontsourceEmoji(),
];
