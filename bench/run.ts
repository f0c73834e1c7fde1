/**
 * `npm run bench`: renders templates/welcome and a generated 60 s 1080p template with distinct
 * values per Vidata (full single pass, cache cold, cache warm, full load), then measures the API,
 * and prints the tables of docs/performance.md.
 *
 *   npm run bench                      5 renders of each kind per template
 *   npm run bench -- --runs 3 --no-api
 *   npm run bench -- --only api          the API part alone
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { ffmpegVersion } from '../src/engine/ffmpeg.ts';
import { loadTemplate } from '../src/template/load.ts';
import { apiTable, benchApi } from './api.ts';
import { makeLongTemplate } from './make-template.ts';
import { benchRenders, qualityTable, renderTable, scheduleTable, type RenderFigures } from './renders.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const NAMES = [
  'Camille Martin',
  'Léa Dubois',
  'Hugo Bernard',
  'Chloé Petit',
  'Lucas Moreau',
  'Inès Laurent',
  'Jules Simon',
  'Manon Michel',
];
const JOBS = ['Métrologue', 'Architecte', 'Boulangère', 'Infirmier', 'Avocate', 'Menuisier'];
const CITIES = ['Lyon', 'Marseille', 'Bordeaux', 'Lille', 'Nantes', 'Toulouse', 'Rennes', 'Nice'];

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    api: { type: 'boolean', default: true },
    'no-api': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const runs = Number(options.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a whole number >= 1, not ${options.runs}`);

const root = await mkdtemp(path.join(tmpdir(), 'vidata-bench-'));
try {
  const config = loadConfig();
  const rows: RenderFigures[] = [];
  const say = (text: string) => process.stderr.write(`${text}\n`);
  say(`bench folder ${root}`);

  if (options.only === undefined || options.only === 'welcome') {
    const welcome = await loadTemplate(path.join(REPO, 'templates/welcome'));
    say('rendering templates/welcome...');
    rows.push(
      await benchRenders({
        template: welcome,
        runs,
        root,
        schedules: true,
        values: (i) => ({
          TXT_NAME: `${NAMES[i % NAMES.length]} ${i}`,
          TXT_METIER: JOBS[i % JOBS.length] as string,
          'IMG_image.png': i % 2 === 0 ? 'image_1' : 'image_2',
          'TXT_MAP_IMG_adresse.png': `${CITIES[i % CITIES.length]}, France`,
          TXT_USEREMAIL: `client${i}@example.org`,
        }),
      }),
    );
  }
  if (options.only === undefined || options.only === 'long') {
    say('making the 60 s 1080p template...');
    const long = await loadTemplate(await makeLongTemplate(path.join(root, 'long-template')));
    say('rendering it...');
    rows.push(
      await benchRenders({
        template: long,
        runs,
        root,
        values: (i) => ({
          TXT_NAME: `${NAMES[i % NAMES.length]} ${i}`,
          TXT_CITY: CITIES[i % CITIES.length] as string,
          'IMG_photo.png': i % 2 === 0 ? 'a' : 'b',
          TXT_USEREMAIL: `client${i}@example.org`,
        }),
      }),
    );
  }
  const api = options.api && !options['no-api'] ? await benchApi(root) : undefined;

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const out = [
    `Machine: ${availableParallelism()} cores (${cpu}), ${Math.round(totalmem() / 1024 ** 3)} GB, Node ${process.version}, ${await ffmpegVersion(config.ffmpeg)}`,
    `Runs: ${runs} of each kind per template; times are wall seconds per Vidata.`,
    '',
    renderTable(rows),
    '',
    'Cached output against the full single pass, same values:',
    '',
    qualityTable(rows),
    '',
    'Sharing the cores at full load, cache warm:',
    '',
    scheduleTable(rows),
    ...(api ? ['', apiTable(api)] : []),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await rm(root, { recursive: true, force: true });
}
