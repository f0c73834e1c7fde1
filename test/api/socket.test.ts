import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SAMPLE_VARIABLES, startTestServer, type TestServer } from './helpers.ts';

describe('API over a real socket', () => {
  let server: TestServer;
  let base: string;
  before(async () => {
    server = await startTestServer();
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('creates, polls, downloads a range and opens the page', async () => {
    const created = await fetch(`${base}/v1/vidata`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: server.key, variables: SAMPLE_VARIABLES }),
    });
    assert.equal(created.status, 201);
    const { VidataId } = (await created.json()) as { VidataId: string };

    let vidata: { Status: string; DownloadUri: string; PageUrl: string } | undefined;
    for (let i = 0; i < 200; i++) {
      const response = await fetch(`${base}/v1/vidata/${VidataId}`, {
        headers: { authorization: `Bearer ${server.key}` },
      });
      vidata = (await response.json()) as typeof vidata;
      if (vidata?.Status === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(vidata?.Status, 'done');
    assert.equal(vidata.DownloadUri, `${base}/media/${VidataId}/video.mp4`);

    const part = await fetch(vidata.DownloadUri, { headers: { range: 'bytes=0-7' } });
    assert.equal(part.status, 206);
    const bytes = Buffer.from(await part.arrayBuffer());
    assert.equal(bytes.length, 8);
    assert.equal(bytes.subarray(4, 8).toString('latin1'), 'ftyp');

    const page = await fetch(vidata.PageUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<video id="player"/);
  });
});
