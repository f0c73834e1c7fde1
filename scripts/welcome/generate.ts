/**
 * Generates every asset of the welcome template into `templates/welcome/`.
 *
 *   node --import tsx scripts/welcome/generate.ts [fonts] [images] [backgrounds] [music]
 *
 * Without arguments it makes them all. The output is the same on every run (seeded randomness),
 * except for differences in the encoders' own bytes between ffmpeg builds.
 */
import { DARK_BACKGROUND, LIGHT_BACKGROUND, writeBackground } from './backgrounds.ts';
import { copyFonts } from './fonts.ts';
import { writeImages } from './images.ts';
import { writeMusic } from './music.ts';
import { writeStills } from './stills.ts';

const STEPS: Record<string, () => Promise<void>> = {
  fonts: copyFonts,
  // The images use the template's fonts, so they come after `fonts`.
  images: writeImages,
  backgrounds: async () => {
    await writeBackground(DARK_BACKGROUND);
    await writeBackground(LIGHT_BACKGROUND);
    await writeStills();
  },
  music: writeMusic,
};

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !Object.hasOwn(STEPS, name));
if (unknown.length > 0) {
  console.error(`Unknown step ${unknown.join(', ')}; the steps are ${Object.keys(STEPS).join(', ')}.`);
  process.exit(2);
}
for (const [name, step] of Object.entries(STEPS)) {
  if (requested.length > 0 && !requested.includes(name)) continue;
  const started = Date.now();
  await step();
  console.log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
