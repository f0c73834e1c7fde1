/**
 * Runs every variable case and writes docs/variable-cases.md. The page lists each case, what it
 * sends, what it must give, and what it gave on this run.
 *
 *   node --import tsx test/variables/document.ts
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CASES, type VariableCase } from './cases.ts';
import type { Check } from './checks.ts';
import { openHarness, type CaseValue } from './harness.ts';
import { checkCase, describeOutcome } from './run-case.ts';

const OUTPUT = path.resolve(import.meta.dirname, '../../docs/variable-cases.md');
/** Cases run at the same time, as in the test. */
const CONCURRENCY = 2;

interface Row {
  testCase: VariableCase;
  result: string;
  passed: boolean;
}

/** Shows a value with invisible characters and Latin combining accents as escapes, and shortens long values. */
function showValue(value: CaseValue): string {
  if (typeof value !== 'string')
    return `upload of \`${value.upload.replace(/^fixtures\//, 'test/fixtures/')}\``;
  // A value of white space only is shown in escapes, because Markdown collapses runs of spaces.
  const blank = value.trim() === '';
  const escaped = [...value]
    .map((character) => {
      const code = character.codePointAt(0) ?? 0;
      // Combining diacritical marks (U+0300 to U+036F) are shown too, so decomposed input is visible.
      const invisible = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\u0300-\u036f]/u.test(character);
      return invisible || blank ? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}` : character;
    })
    .join('');
  if (value.length > 60) return `"${escaped.slice(0, 24)}…" (${[...value].length} characters)`;
  return `"${escaped}"`;
}

function showValues(testCase: VariableCase): string {
  return Object.entries(testCase.values)
    .map(([name, value]) => (value === null ? `no ${name}` : `${name} = ${showValue(value)}`))
    .join(', ');
}

function showCheck(check: Check): string {
  switch (check.type) {
    case 'text': {
      const parts = [`${check.variable} matches its raster`];
      if (check.lines) parts.push(`lines ${check.lines.map((line) => `"${line}"`).join(' / ')}`);
      if (typeof check.fontSize === 'number') parts.push(`at ${check.fontSize} px`);
      if (typeof check.fontSize === 'object') parts.push(`shrunk below ${check.fontSize.below} px`);
      if (check.ellipsis) parts.push('ends with "…"');
      return parts.join(', ');
    }
    case 'stored':
      return `stored as ${showValue(check.value)}`;
    case 'blank':
      return `${check.variable} box empty`;
    case 'colour-ink':
      return 'drawn in colour';
    case 'starts-with':
      return `"${check.text}" on the left`;
    case 'one-glyph':
      return `one glyph wide, like "${check.glyph}"`;
    case 'image':
      return `${check.variable} matches its raster`;
    case 'pixels':
      return `${check.points.map(([x, y, colour]) => `${colour} at ${x},${y}`).join(', ')}`;
    case 'clip-time':
      return `frame ${check.frame} shows the clip at ${check.seconds} s`;
    case 'ramp':
      return `frame ${check.frame} shows ramp frame ${check.rampFrame}`;
    case 'streams':
      return 'full length, AAC 48 kHz stereo';
  }
}

function showExpected(testCase: VariableCase): string {
  if ('rejected' in testCase.expect) {
    const { at, code } = testCase.expect.rejected;
    return `rejected at ${at}: \`${code}\``;
  }
  return testCase.expect.checks.map(showCheck).join('; ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

async function runAll(): Promise<Row[]> {
  const harness = await openHarness();
  const rows: Row[] = new Array<Row>(CASES.length);
  let next = 0;
  const worker = async () => {
    while (next < CASES.length) {
      const index = next++;
      const testCase = CASES[index] as VariableCase;
      try {
        const outcome = await checkCase(harness, testCase);
        rows[index] = {
          testCase,
          result: `passes (${describeOutcome(outcome).split(':')[0]})`,
          passed: true,
        };
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        rows[index] = { testCase, result: `fails: ${message}`, passed: false };
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    await harness.close();
  }
  return rows;
}

function page(rows: Row[]): string {
  const failed = rows.filter((row) => !row.passed);
  const lines = [
    '# Variable cases',
    '',
    'Values a customer list really contains, each sent through the path of a real Vidata. The',
    'upload service checks each file. The create call validates the values as the API does before',
    'queueing. The render engine then renders the values stored with the Vidata.',
    '',
    'A case is either rejected at a named stage with a stable error code, or rendered. A rendered',
    "case's decoded frame must match each checked layer's expected raster, which the raster stage",
    'draws again over the background colour, or show a property that a wrong render lacks.',
    '',
    'The suite is `test/variables/cases.test.ts`. Its two templates and one clip are made by',
    '`scripts/fixtures/make-variable-cases.ts`, and the other files come from `test/fixtures/images`',
    'and `test/fixtures/clips`.',
    '',
    'A text matches its raster when two things hold. The mean absolute difference per channel over',
    'its ink is below 9: correct renders measure 3.6 to 6.9 after H.264 and 4:2:0 chroma, and an',
    'empty box 28 to 74. And at most 2 pixels differ in luma by more than 80, where a missing accent',
    'gives dozens. An image matches when the mean over its whole box is below 8 (measured 0.9 to 2.3).',
    '',
    'This page is written by `node --import tsx test/variables/document.ts`, which runs every case.',
    'The result column is that run.',
    '',
    `${rows.length} cases, ${rows.length - failed.length} pass, ${failed.length} fail.`,
    '',
    '| # | kind | case | sent | expected | result |',
    '| - | ---- | ---- | ---- | -------- | ------ |',
    ...rows.map(
      ({ testCase, result }, index) =>
        `| ${index + 1} | ${testCase.kind} | ${cell(testCase.name)} | ${cell(showValues(testCase))} | ${cell(showExpected(testCase))} | ${cell(result)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

const rows = await runAll();
await writeFile(OUTPUT, page(rows));
console.log(
  `${path.relative(process.cwd(), OUTPUT)}: ${rows.filter((row) => row.passed).length}/${rows.length} pass`,
);
