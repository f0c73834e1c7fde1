/**
 * Filters an ffmpeg build offers, read once per binary from `ffmpeg -filters`. A build chosen with
 * FFMPEG_PATH may lack zimg (`zscale`), which HDR clips need. Checking first turns an obscure
 * "No such filter" failure into an error that names the missing filter.
 */
import { VidataError } from '../errors.ts';
import { runTool } from './run.ts';

const filtersByBinary = new Map<string, Promise<Set<string>>>();

/** Lists the filter names of the ffmpeg at `ffmpegPath`, cached per path. */
export function ffmpegFilters(ffmpegPath: string): Promise<Set<string>> {
  let filters = filtersByBinary.get(ffmpegPath);
  if (filters === undefined) {
    filters = runTool(ffmpegPath, ['-hide_banner', '-filters'], { timeoutMs: 20_000 }).then(({ stdout }) => {
      // Lines look like " TS. zscale            V->V       Apply resizing, ...".
      const names = stdout
        .toString('utf8')
        .split('\n')
        .map((line) => line.match(/^ [.A-Z|]{3} (\S+)/)?.[1])
        .filter((name): name is string => name !== undefined);
      return new Set(names);
    });
    // A failed listing is not cached, so a binary fixed later is read again.
    filters.catch(() => filtersByBinary.delete(ffmpegPath));
    filtersByBinary.set(ffmpegPath, filters);
  }
  return filters;
}

/** Throws FFMPEG_NOT_FOUND naming the first of `names` that the ffmpeg at `ffmpegPath` lacks. */
export async function requireFilters(
  ffmpegPath: string,
  names: readonly string[],
  purpose: string,
): Promise<void> {
  const filters = await ffmpegFilters(ffmpegPath);
  const missing = names.find((name) => !filters.has(name));
  if (missing !== undefined) {
    throw new VidataError(
      'FFMPEG_NOT_FOUND',
      `The ffmpeg at ${ffmpegPath} has no "${missing}" filter, which ${purpose} needs. ` +
        'Use the bundled build, or set FFMPEG_PATH to a build with libzimg.',
    );
  }
}
