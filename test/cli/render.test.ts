import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { BASIC_TEMPLATE, REPO, decodeFrame, ffprobe, run } from '../engine/media-checks.ts';

const BIN = path.join(REPO, 'bin/vidata.js');

function vidata(args: string[]) {
  return run(process.execPath, [BIN, ...args], { cwd: REPO });
}

describe('vidata render', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vidata-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function assertFails(args: string[], code: string): Promise<string> {
    const out = path.join(dir, `${code}.mp4`);
    const result = await vidata(['render', ...args, '--out', out, '--no-progress']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`^error ${code}: `, 'm'));
    assert.equal(result.stdout.toString(), '');
    await assert.rejects(stat(out), { code: 'ENOENT' });
    return result.stderr;
  }

  it('renders and prints the video and cover paths', async () => {
    // A local image file as the value of an image variable.
    const photo = path.join(dir, 'photo.png');
    await sharp({ create: { width: 30, height: 20, channels: 3, background: '#00ff00' } })
      .png()
      .toFile(photo);
    const out = path.join(dir, 'nested', 'video.mp4');
    const result = await vidata([
      'render',
      BASIC_TEMPLATE,
      '--set',
      'TXT_NAME=Zoë',
      '--set',
      `IMG_photo.png=${photo}`,
      '--out',
      out,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const cover = path.join(dir, 'nested', 'video.jpg');
    assert.equal(result.stdout.toString(), `${out}\n${cover}\n`);
    const probe = await ffprobe(out);
    assert.equal(probe.streams.length, 2);
    assert.ok((await stat(cover)).size > 0);

    // The local photo (green) fills the image box of scene 1 once it has slid in.
    const frame = await decodeFrame(out, 25 + 12);
    const at = (52 * 320 + 68) * 3;
    const [red, green, blue] = [frame[at], frame[at + 1], frame[at + 2]] as number[];
    assert.ok(
      (green as number) > 200 && (red as number) < 60 && (blue as number) < 60,
      `pixel ${red},${green},${blue}`,
    );
  });

  it('writes the cover where --cover says', async () => {
    const out = path.join(dir, 'with-cover.mp4');
    const cover = path.join(dir, 'covers', 'c.jpg');
    const result = await vidata(['render', BASIC_TEMPLATE, '--out', out, '--cover', cover, '--no-progress']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString(), `${out}\n${cover}\n`);
    assert.ok((await stat(cover)).size > 0);
  });

  it('cleans its --work-dir', async () => {
    const workDir = path.join(dir, 'work');
    const out = path.join(dir, 'work-dir.mp4');
    const result = await vidata([
      'render',
      BASIC_TEMPLATE,
      '--out',
      out,
      '--work-dir',
      workDir,
      '--no-progress',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await readdir(workDir), []);
  });

  it('rejects an unknown variable', async () => {
    const stderr = await assertFails([BASIC_TEMPLATE, '--set', 'TXT_name=Zoë'], 'VARIABLE_UNKNOWN');
    assert.match(stderr, /Did you mean "TXT_NAME"\?/);
  });

  it('rejects a text over MaxLength', async () => {
    await assertFails([BASIC_TEMPLATE, '--set', `TXT_NAME=${'x'.repeat(21)}`], 'VARIABLE_TOO_LONG');
  });

  it('rejects a missing image file', async () => {
    await assertFails([BASIC_TEMPLATE, '--set', 'IMG_photo.png=/nonexistent/photo.png'], 'FILE_NOT_FOUND');
  });

  it('rejects an assignment without "="', async () => {
    await assertFails([BASIC_TEMPLATE, '--set', 'TXT_NAME'], 'VALIDATION_FAILED');
  });

  it('rejects an address no map can show', async () => {
    const welcome = path.join(REPO, 'templates/welcome');
    const stderr = await assertFails(
      [welcome, '--set', 'TXT_MAP_IMG_adresse.png=zzzz qqqq'],
      'ADDRESS_NOT_FOUND',
    );
    assert.match(stderr, /zzzz qqqq/);
  });

  it('rejects an invalid template', async () => {
    const broken = path.join(dir, 'broken');
    await rm(broken, { recursive: true, force: true });
    await mkdir(broken);
    await writeFile(path.join(broken, 'template.json'), JSON.stringify({ formatVersion: 1, name: 'x' }));
    const stderr = await assertFails([broken], 'TEMPLATE_INVALID');
    assert.match(stderr, /output: /);
  });

  it('rejects a missing template folder', async () => {
    await assertFails([path.join(dir, 'no-such-template')], 'TEMPLATE_NOT_FOUND');
  });
});
