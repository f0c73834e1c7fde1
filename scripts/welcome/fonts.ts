/**
 * Copies the welcome template's fonts from the installed npm packages @expo-google-fonts/montserrat
 * and @expo-google-fonts/inter (SIL Open Font License 1.1) into `templates/welcome/fonts/`, with
 * each family's licence text beside them.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { templatePath } from './common.ts';

const require = createRequire(import.meta.url);

export interface FontFile {
  family: string;
  weight: number;
  /** Path of the TTF inside the npm package. */
  source: string;
  /** Path of the copy inside the template folder. */
  target: string;
}

export const FONT_FILES: FontFile[] = [
  {
    family: 'Montserrat',
    weight: 600,
    source: '@expo-google-fonts/montserrat/600SemiBold/Montserrat_600SemiBold.ttf',
    target: 'fonts/Montserrat-SemiBold.ttf',
  },
  {
    family: 'Montserrat',
    weight: 800,
    source: '@expo-google-fonts/montserrat/800ExtraBold/Montserrat_800ExtraBold.ttf',
    target: 'fonts/Montserrat-ExtraBold.ttf',
  },
  {
    family: 'Inter',
    weight: 400,
    source: '@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf',
    target: 'fonts/Inter-Regular.ttf',
  },
  {
    family: 'Inter',
    weight: 600,
    source: '@expo-google-fonts/inter/600SemiBold/Inter_600SemiBold.ttf',
    target: 'fonts/Inter-SemiBold.ttf',
  },
];

const LICENCES = [
  { source: '@expo-google-fonts/montserrat/LICENSE_FONT', target: 'fonts/Montserrat-OFL.txt' },
  { source: '@expo-google-fonts/inter/LICENSE_FONT', target: 'fonts/Inter-OFL.txt' },
];

/** Copies the fonts and their licences from the packages installed in this repository's node_modules. */
export async function copyFonts(): Promise<void> {
  await mkdir(templatePath('fonts'), { recursive: true });
  for (const file of [...FONT_FILES, ...LICENCES]) {
    const packageJson = require.resolve(`${file.source.split('/').slice(0, 2).join('/')}/package.json`);
    const source = path.join(path.dirname(packageJson), file.source.split('/').slice(2).join('/'));
    await copyFile(source, templatePath(file.target));
  }
}
