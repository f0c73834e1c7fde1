/**
 * Byte-level checks of a clip's container, before ffprobe reads it. ffprobe opens many damaged files
 * without complaint (an MP4 whose `mdat` box is cut off probes fine and fails halfway through
 * decoding), so the box structure is walked here and a file that ends early is rejected.
 */
import { open, type FileHandle } from 'node:fs/promises';

export type ContainerKind = 'iso-bmff' | 'matroska';

export type ContainerCheck = { ok: true; kind: ContainerKind } | { ok: false; reason: string };

/** Box types that may open an ISO base media file (MP4, MOV, 3GP); old QuickTime files may lack `ftyp`. */
const ISO_FIRST_BOXES = new Set(['ftyp', 'styp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'uuid']);

const EBML_MAGIC = 0x1a45dfa3;
const MATROSKA_SEGMENT_ID = 0x18538067;

/**
 * Upper bound on top-level boxes walked. A fragmented MP4 has two boxes per fragment, so this covers
 * hours of one-second fragments while stopping a crafted file from making the walk unbounded.
 */
const MAX_TOP_LEVEL_BOXES = 100_000;

/** Tells whether `file` is a complete MP4/MOV or Matroska/WebM file, by its bytes. */
export async function checkContainer(file: string): Promise<ContainerCheck> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = await readAt(handle, 0, 16);
    if (head.length >= 8 && ISO_FIRST_BOXES.has(head.toString('latin1', 4, 8))) {
      return await checkIsoBoxes(handle, size);
    }
    if (head.length >= 4 && head.readUInt32BE(0) === EBML_MAGIC) return await checkMatroska(handle, size);
    if (size === 0) return { ok: false, reason: 'the file is empty' };
    return { ok: false, reason: 'it is not an MP4, MOV or WebM file' };
  } finally {
    await handle.close();
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Walks the top-level boxes: each must fit inside the file, and a `moov` (the index) must exist. */
async function checkIsoBoxes(handle: FileHandle, size: number): Promise<ContainerCheck> {
  const seen = new Set<string>();
  let offset = 0;
  for (let count = 0; offset < size; count++) {
    if (count >= MAX_TOP_LEVEL_BOXES) {
      return { ok: false, reason: `it has more than ${MAX_TOP_LEVEL_BOXES} top-level boxes` };
    }
    const header = await readAt(handle, offset, 16);
    if (header.length < 8) {
      return { ok: false, reason: `it ends inside a box header at byte ${offset} (the file is cut off)` };
    }
    const type = header.toString('latin1', 4, 8);
    if (!/^[\x20-\x7e]{4}$/.test(type)) {
      return { ok: false, reason: `it has damaged data at byte ${offset} (no valid box header)` };
    }
    let boxSize = header.readUInt32BE(0);
    let headerSize = 8;
    if (boxSize === 1) {
      if (header.length < 16) {
        return { ok: false, reason: `it ends inside the "${type}" box header (the file is cut off)` };
      }
      boxSize = Number(header.readBigUInt64BE(8));
      headerSize = 16;
    } else if (boxSize === 0) {
      // Size 0 means "up to the end of the file", which only a last box may use.
      boxSize = size - offset;
    }
    if (boxSize < headerSize) {
      return { ok: false, reason: `its "${type}" box at byte ${offset} has an invalid size` };
    }
    if (offset + boxSize > size) {
      const noIndex =
        seen.has('moov') || type === 'moov' ? '' : ', and its index, the "moov" box, is missing';
      return {
        ok: false,
        reason:
          `it is cut off (its "${type}" box needs ${offset + boxSize} bytes ` +
          `but the file has ${size}${noIndex})`,
      };
    }
    seen.add(type);
    offset += boxSize;
  }
  if (!seen.has('moov')) {
    return {
      ok: false,
      reason: 'it has no "moov" box, the index of its frames (the file was cut off or not finished writing)',
    };
  }
  return { ok: true, kind: 'iso-bmff' };
}

/** Reads an EBML variable-length integer; `keepMarker` keeps the length bits, as element IDs do. */
function readVint(
  buffer: Buffer,
  position: number,
  keepMarker: boolean,
): { value: number; length: number; unknown: boolean } | undefined {
  const first = buffer[position];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (position + length > buffer.length) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const byte = buffer[position + i] as number;
    value = value * 256 + byte;
    if (byte !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

/** Checks the EBML header and that the Segment, when its size is declared, fits inside the file. */
async function checkMatroska(handle: FileHandle, size: number): Promise<ContainerCheck> {
  const head = await readAt(handle, 0, 64);
  const headerSize = readVint(head, 4, false);
  if (!headerSize) return { ok: false, reason: 'its EBML header is damaged' };
  const segmentAt = 4 + headerSize.length + headerSize.value;
  const segment = await readAt(handle, segmentAt, 12);
  const id = readVint(segment, 0, true);
  if (!id || id.value !== MATROSKA_SEGMENT_ID) {
    return { ok: false, reason: 'it has no Matroska segment after its EBML header (the file is cut off)' };
  }
  const segmentSize = readVint(segment, id.length, false);
  if (!segmentSize) return { ok: false, reason: 'its Matroska segment header is damaged' };
  // NOTE: a live recording (e.g. a browser's MediaRecorder) writes "unknown size"; such a file cut
  // off between clusters passes this check and is caught only if ffprobe cannot read it.
  const end = segmentAt + id.length + segmentSize.length + segmentSize.value;
  if (!segmentSize.unknown && end > size) {
    return {
      ok: false,
      reason: `its Matroska segment needs ${end} bytes but the file has ${size} (the file is cut off)`,
    };
  }
  return { ok: true, kind: 'matroska' };
}
