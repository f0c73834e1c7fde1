/**
 * A programmable HTTP server on 127.0.0.1 standing in for geocoding and tile servers. Each test
 * sets `handler`; every request is recorded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

export interface FakeServer {
  url: string;
  requests: { url: URL; headers: IncomingMessage['headers']; at: number }[];
  handler: Handler;
  close(): Promise<void>;
}

export async function startFakeServer(
  handler: Handler = (_req, res) => res.writeHead(404).end(),
): Promise<FakeServer> {
  const fake: FakeServer = {
    url: '',
    requests: [],
    handler,
    close: () =>
      new Promise((resolve) => {
        // Requests left hanging on purpose (timeout tests) must not keep the server open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    fake.requests.push({ url, headers: request.headers, at: Date.now() });
    fake.handler(request, response, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

export function sendJson(response: ServerResponse, body: unknown, status = 200): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export function pointFeature(lon: number, lat: number, properties: Record<string, unknown>) {
  return { type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties };
}

/** Great-circle distance in kilometres. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}
