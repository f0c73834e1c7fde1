/**
 * The render worker process: started by RenderWorkerPool with child_process.fork, it runs the
 * render jobs the server sends over IPC, one at a time, and sends back their events and results.
 * It imports only the engine, the map drawing and the segment cache, not the HTTP server, the
 * database or the offline geocoder tables, so that its resident memory stays small. When the
 * server goes away (the IPC channel closes), it aborts its render, which kills its ffmpeg
 * processes, and exits.
 */
import { render } from '../engine/render.ts';
import { SegmentCache } from '../engine/cache/store.ts';
import type { RenderRequest } from '../engine/types.ts';
import { createMapProvider, type VidataMapProvider } from '../maps/provider.ts';
import {
  deserializeError,
  serializeError,
  type ServerMessage,
  type WorkerMessage,
  type WorkerRenderRequest,
  type WorkerSettings,
} from './protocol.ts';

/** How long the renders get to stop after the server went away, before the process exits anyway. */
const EXIT_GRACE_MS = 5000;

const running = new Map<number, AbortController>();
const mediaCalls = new Map<number, { resolve: (path: string) => void; reject: (error: Error) => void }>();
const caches = new Map<string, SegmentCache>();
let settings: WorkerSettings | undefined;
let maps: VidataMapProvider | undefined;
let nextCallId = 1;

function send(message: WorkerMessage): void {
  if (!process.connected) return;
  try {
    process.send?.(message);
  } catch (error) {
    // Details the structured clone cannot copy (a function, a socket) must not lose the result.
    if (message.type !== 'failed') throw error;
    process.send?.({ ...message, error: { ...message.error, details: undefined } });
  }
}

function mapProvider(): VidataMapProvider {
  if (settings === undefined) throw new Error('The render worker received a job before its settings.');
  maps ??= createMapProvider(settings.maps, {
    cacheDir: settings.mapsCacheDir,
    logger: { warn: (details, message) => send({ type: 'log', details: { ...details }, message }) },
  });
  return maps;
}

/** Returns the process's SegmentCache for a folder, so that its size checks do not overlap. */
function segmentCache(options: { dir: string; maxBytes: number }): SegmentCache {
  let cache = caches.get(options.dir);
  if (cache === undefined || cache.maxBytes !== options.maxBytes) {
    cache = new SegmentCache(options);
    caches.set(options.dir, cache);
  }
  return cache;
}

function resolveUpload(jobId: number, filename: string, kind: 'image' | 'video'): Promise<string> {
  const callId = nextCallId++;
  return new Promise((resolve, reject) => {
    mediaCalls.set(callId, { resolve, reject });
    send({ type: 'media', jobId, callId, filename, kind });
  });
}

function toRenderRequest(jobId: number, request: WorkerRenderRequest, signal: AbortSignal): RenderRequest {
  const { cache, maps: mapHints, hasMedia, ...plain } = request;
  return {
    ...plain,
    cache: cache === undefined ? undefined : segmentCache(cache),
    maps: mapHints === undefined ? undefined : mapProvider().withFonts(mapHints.fonts, mapHints.locations),
    media: hasMedia ? { resolveUpload: (filename, kind) => resolveUpload(jobId, filename, kind) } : undefined,
    onEvent: (event) => send({ type: 'event', jobId, event }),
    signal,
  };
}

async function runJob(jobId: number, request: WorkerRenderRequest): Promise<void> {
  const controller = new AbortController();
  running.set(jobId, controller);
  try {
    const result = await render(toRenderRequest(jobId, request, controller.signal));
    send({ type: 'done', jobId, result });
  } catch (error) {
    send({ type: 'failed', jobId, error: serializeError(error) });
  } finally {
    running.delete(jobId);
  }
}

process.on('message', (message: ServerMessage) => {
  switch (message.type) {
    case 'init':
      settings = message.settings;
      send({ type: 'ready' });
      break;
    case 'render':
      void runJob(message.jobId, message.request);
      break;
    case 'cancel':
      running.get(message.jobId)?.abort();
      break;
    case 'media-path': {
      const call = mediaCalls.get(message.callId);
      mediaCalls.delete(message.callId);
      if (message.path !== undefined) call?.resolve(message.path);
      else
        call?.reject(
          deserializeError(message.error ?? { message: 'The server sent no path for the upload.' }),
        );
      break;
    }
  }
});

process.on('disconnect', () => {
  for (const controller of running.values()) controller.abort();
  for (const call of mediaCalls.values()) call.reject(new Error('The server closed the connection.'));
  mediaCalls.clear();
  // Aborted renders stop their ffmpeg processes, so the event loop empties and the process exits.
  // The timer does not keep the process alive. It only ends a render that does not stop.
  setTimeout(() => process.exit(1), EXIT_GRACE_MS).unref();
});

// Ctrl-C in a terminal, and some service managers, signal the whole process group. The server
// then stops its queue, which returns the running jobs to the queue, and closes the IPC channel,
// so the worker leaves its shutdown to the server instead of failing the render at once.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
