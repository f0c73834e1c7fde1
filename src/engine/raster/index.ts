/** The raster stage's public surface: fonts, text and image rasterization, and image inspection. */
export { assertSupportedText, describeCharacter, findUnsupportedCharacter } from './coverage.ts';
export { fontChain, fontFamilyList, loadFonts, type FontFace, type FontSet } from './fonts.ts';
export {
  DEFAULT_MAX_IMAGE_PIXELS,
  inspectImage,
  rasterizeImage,
  type ImageInfo,
  type ImageLimits,
  type RasterizeImageOptions,
} from './image.ts';
export { checkText, layoutText, rasterizeText, type RasterizeTextOptions, type TextRaster } from './text.ts';
