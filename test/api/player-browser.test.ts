/** The player page in real headless Chromium: the video loads, seeks, and wears the project's colour. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { createVidata, startTestServer, waitForVidata, type TestServer } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';

/** The few DOM members the checks use (the project compiles without the DOM library). */
interface VideoElement {
  readyState: number;
  duration: number;
  videoWidth: number;
  videoHeight: number;
  poster: string;
  currentTime: number;
  addEventListener(type: string, listener: () => void, options?: { once: boolean }): void;
}

interface BrowserWindow {
  getComputedStyle(element: unknown): { outlineColor: string };
}

describe('player page in Chromium', () => {
  let server: TestServer;
  let browser: BrowserContext;
  let profile: string;
  let pageUrl: string;
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run apt-get install -y chromium (.ci/run does)`);
    server = await startTestServer();
    await server.services.db
      .updateTable('projects')
      .set({ player_color: '#ff7a59' })
      .where('id', '=', server.projectId)
      .execute();
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (server.app.server.address() as AddressInfo).port;
    const id = await createVidata(server, { TXT_USEREMAIL: 'ada@example.org', TXT_NAME: '<b>Ada</b>' });
    await waitForVidata(server, id, (b) => b.Status === 'done');
    pageUrl = `http://127.0.0.1:${port}/v/${id}`;
    profile = await mkdtemp(path.join(tmpdir(), 'vidata-chromium-'));
    // Playwright passes the fresh profile folder as --user-data-dir itself.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await server.close();
    await rm(profile, { recursive: true, force: true });
  });

  it('loads the video and its poster, seeks, and uses the player colour', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(pageUrl);

    const video = page.locator('video#player');
    await video.waitFor();
    await video.evaluate(
      (element: VideoElement) =>
        new Promise<void>((resolve) => {
          if (element.readyState >= 1) resolve();
          else element.addEventListener('loadedmetadata', () => resolve(), { once: true });
        }),
    );
    const state = await video.evaluate((element: VideoElement) => ({
      duration: element.duration,
      width: element.videoWidth,
      height: element.videoHeight,
      poster: element.poster,
      outline: (globalThis as unknown as BrowserWindow).getComputedStyle(element).outlineColor,
    }));
    assert.ok(Math.abs(state.duration - 1) < 0.1, `duration ${state.duration}`);
    assert.equal(state.width, 320);
    assert.equal(state.height, 180);
    assert.match(state.poster, /\/media\/[0-9a-z]{16}\/cover\.jpg$/);
    assert.equal(state.outline, 'rgb(255, 122, 89)');

    // Seeking needs range requests: Chromium requests byte ranges, and currentTime must move.
    const seeked = await video.evaluate(
      (element: VideoElement) =>
        new Promise<number>((resolve) => {
          element.addEventListener('seeked', () => resolve(element.currentTime), { once: true });
          element.currentTime = 0.6;
        }),
    );
    assert.ok(Math.abs(seeked - 0.6) < 0.15, `seeked to ${seeked}`);

    const poster = await page.request.get(state.poster);
    assert.equal(poster.status(), 200);
    assert.equal(poster.headers()['content-type'], 'image/jpeg');

    const text = await page.locator('body').innerText();
    assert.doesNotMatch(text, /Ada/);
    assert.equal(await page.locator('b').count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
