/**
 * The service as a user meets it: `vidata serve` on a fresh data folder with the real engine and
 * the welcome template, driven over HTTP on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { startServerProcess, type ServerProcess } from './process.ts';

const run = promisify(execFile);
const { ffmpeg, ffprobe } = loadConfig({}).ffmpeg;

interface VidataBody {
  Status: string;
  Progress: number;
  Error: unknown;
  DownloadUri: string | null;
  PageUrl: string;
}

async function poll(
  base: string,
  key: string,
  id: string,
  until: (b: VidataBody) => boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = (await (await fetch(`${base}/v1/vidata/${id}?vkey=${key}`)).json()) as VidataBody;
    if (until(body)) return body;
    if (Date.now() > deadline) throw new Error(`Vidata ${id} still ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The create body of the public guide's sample, as pasted: unquoted keys and trailing commas. */
const guideSample = (key: string) => `{
        key: "${key}",
        variables: {
        "TXT_USEREMAIL" : "matthieu.rogier@example.org",
  "TXT_NAME": "Matthieu Rogier",
              "TXT_METIER": "Métrologue",
        },
    }`;

async function create(base: string, key: string): Promise<string> {
  const response = await fetch(`${base}/v1/vidata`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: guideSample(key),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return ((await response.json()) as { VidataId: string }).VidataId;
}

describe('npm start on a fresh data folder', () => {
  let dataDir: string;
  let server: ServerProcess;
  let base: string;
  let key: string;
  let workDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'vidata-e2e-'));
    workDir = await mkdtemp(path.join(tmpdir(), 'vidata-e2e-out-'));
    server = await startServerProcess({ VIDATA_DATA_DIR: dataDir });
    base = `http://127.0.0.1:${server.port}`;
  });
  after(async () => {
    await server.stop('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  });

  it('prints the demo project key and a curl command', () => {
    const match = /API key:\s+(vk_[0-9a-f]{32})/.exec(server.output());
    assert.ok(match, server.output());
    key = match[1] as string;
    assert.match(
      server.output(),
      new RegExp(`curl -X POST http://127\\.0\\.0\\.1:${server.port}/v1/vidata `),
    );
    assert.match(server.output(), /project id:\s+[0-9a-z]{16}/);
  });

  it('renders the guide sample to a valid MP4 and a player page', async () => {
    const id = await create(base, key);
    const done = await poll(base, key, id, (b) => b.Status === 'done' || b.Status === 'failed', 240_000);
    assert.equal(done.Status, 'done', JSON.stringify(done.Error));
    assert.ok(done.DownloadUri);

    const video = await fetch(done.DownloadUri);
    assert.equal(video.status, 200);
    assert.equal(video.headers.get('content-type'), 'video/mp4');
    const file = path.join(workDir, 'download.mp4');
    await writeFile(file, Buffer.from(await video.arrayBuffer()));
    const probe = JSON.parse(
      (await run(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file]))
        .stdout,
    ) as {
      streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
      format: { duration: string };
    };
    const stream = probe.streams.find((s) => s.codec_type === 'video');
    assert.equal(stream?.codec_name, 'h264');
    assert.equal(stream.width, 1280);
    assert.equal(stream.height, 720);
    assert.ok(probe.streams.some((s) => s.codec_type === 'audio'));
    assert.ok(Math.abs(Number(probe.format.duration) - 30) < 0.2, probe.format.duration);

    // Decoding the whole file finds any broken frame; one frame from the middle must not be flat.
    const decode = await run(ffmpeg, ['-v', 'error', '-i', file, '-f', 'null', '-'], { maxBuffer: 1 << 24 });
    assert.equal(decode.stderr.trim(), '');
    const frame = await run(
      ffmpeg,
      [
        '-v',
        'error',
        '-ss',
        '12',
        '-i',
        file,
        '-frames:v',
        '1',
        '-vf',
        'scale=64:36',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        '-',
      ],
      { encoding: 'buffer', maxBuffer: 1 << 20 },
    );
    const pixels = frame.stdout;
    assert.equal(pixels.length, 64 * 36);
    const distinct = new Set(pixels).size;
    assert.ok(distinct > 8, `frame at 12 s has only ${distinct} grey levels`);

    const page = await fetch(done.PageUrl);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, new RegExp(`src="/media/${id}/video.mp4"`));
    assert.doesNotMatch(html, /Matthieu|Métrologue/);
  });
});

describe('render queue across a restart', () => {
  let dataDir: string;
  let key = '';
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'vidata-restart-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('completes a job whose server was killed while it rendered', async () => {
    const first = await startServerProcess({ VIDATA_DATA_DIR: dataDir });
    key = /API key:\s+(vk_[0-9a-f]{32})/.exec(first.output())?.[1] ?? '';
    let base = `http://127.0.0.1:${first.port}`;
    const id = await create(base, key);
    await poll(base, key, id, (b) => b.Status === 'rendering', 60_000);
    // SIGKILL is a crash: the job row stays `running`, and nothing runs any cleanup.
    await first.stop('SIGKILL');

    const second = await startServerProcess({ VIDATA_DATA_DIR: dataDir });
    try {
      assert.doesNotMatch(second.output(), /Demo project created/);
      assert.match(second.output(), /interrupted job queued again/);
      base = `http://127.0.0.1:${second.port}`;
      const done = await poll(base, key, id, (b) => b.Status === 'done' || b.Status === 'failed', 240_000);
      assert.equal(done.Status, 'done', JSON.stringify(done.Error));
      const head = await fetch(done.DownloadUri ?? '', { headers: { range: 'bytes=0-11' } });
      assert.equal(head.status, 206);
      assert.equal(
        Buffer.from(await head.arrayBuffer())
          .subarray(4, 8)
          .toString('latin1'),
        'ftyp',
      );
      assert.deepEqual(await readdir(path.join(dataDir, 'tmp')), [], 'temporary folders left behind');
    } finally {
      await second.stop('SIGTERM');
    }
  });

  it('completes a job whose server was stopped while it rendered', async () => {
    const first = await startServerProcess({ VIDATA_DATA_DIR: dataDir });
    let base = `http://127.0.0.1:${first.port}`;
    const id = await create(base, key);
    await poll(base, key, id, (b) => b.Status === 'rendering', 60_000);
    const stopping = Date.now();
    await first.stop('SIGTERM');
    const stopMs = Date.now() - stopping;
    assert.match(first.output(), /job returned to the queue at shutdown/);
    assert.ok(stopMs < 10_000, `stopping took ${stopMs} ms`);

    const second = await startServerProcess({ VIDATA_DATA_DIR: dataDir });
    try {
      assert.doesNotMatch(second.output(), /interrupted job/);
      base = `http://127.0.0.1:${second.port}`;
      const done = await poll(base, key, id, (b) => b.Status === 'done' || b.Status === 'failed', 240_000);
      assert.equal(done.Status, 'done', JSON.stringify(done.Error));
    } finally {
      await second.stop('SIGTERM');
    }
  });
});
