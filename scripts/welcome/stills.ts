/**
 * Extracts single frames of the background clips as JPEG stills. A scene fades such a still in over
 * its last moments, and the next scene's clip starts on that very frame. The cut between the dark
 * and the light background then reads as a dissolve, which the template format cannot declare.
 */
import { DARK_BACKGROUND, LIGHT_BACKGROUND, type BackgroundDesign } from './backgrounds.ts';
import { runFfmpeg, templatePath } from './common.ts';

export const STILLS: { clip: BackgroundDesign; seconds: number; file: string }[] = [
  { clip: LIGHT_BACKGROUND, seconds: 0, file: 'backgrounds/light-at-0.jpg' },
  { clip: DARK_BACKGROUND, seconds: 10, file: 'backgrounds/dark-at-10.jpg' },
];

/** Writes every still from the clips, which must have been written first. */
export async function writeStills(): Promise<void> {
  for (const still of STILLS) {
    await runFfmpeg({
      args: [
        ...['-ss', String(still.seconds), '-i', templatePath(still.clip.file)],
        ...['-frames:v', '1', '-q:v', '2', templatePath(still.file)],
      ],
    });
  }
}
