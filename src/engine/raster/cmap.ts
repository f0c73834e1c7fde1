/**
 * Character coverage of a font file, read from its `cmap` table (the map from Unicode code points to
 * glyphs, OpenType specification, "cmap - Character to Glyph Index Mapping Table"). Canvas cannot tell
 * whether a font has a glyph, and draws a missing character with any font installed on the host, so
 * coverage is read from the font's own bytes.
 *
 * Supported containers: TrueType/OpenType (`sfnt`), WOFF 1 (zlib-compressed tables) and WOFF 2
 * (one Brotli stream; its cmap table is never transformed). Supported subtables: format 4 (Basic
 * Multilingual Plane) and format 12 (all planes).
 */
import { brotliDecompressSync, inflateSync } from 'node:zlib';

/** Code points a font maps to a glyph other than .notdef, as sorted, non-overlapping ranges. */
export class Coverage {
  /** Range starts and ends (inclusive), in ascending order. */
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;

  constructor(ranges: readonly (readonly [number, number])[]) {
    const merged = mergeRanges(ranges);
    this.starts = Uint32Array.from(merged, (r) => r[0]);
    this.ends = Uint32Array.from(merged, (r) => r[1]);
  }

  has(codePoint: number): boolean {
    let low = 0;
    let high = this.starts.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (codePoint < this.starts[middle]!) high = middle - 1;
      else if (codePoint > this.ends[middle]!) low = middle + 1;
      else return true;
    }
    return false;
  }

  /** Number of code points covered. */
  get size(): number {
    let total = 0;
    for (let i = 0; i < this.starts.length; i++) total += this.ends[i]! - this.starts[i]! + 1;
    return total;
  }
}

function mergeRanges(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** Thrown for bytes that are not a font this module can read; callers turn it into their own error. */
export class FontFormatError extends Error {
  override name = 'FontFormatError';
}

/** Reads the coverage of a font file's bytes. Throws FontFormatError for an unreadable font. */
export function readCoverage(font: Buffer): Coverage {
  const cmap = findTable(font, 'cmap');
  if (cmap === undefined) throw new FontFormatError('the font has no cmap table');
  return parseCmap(cmap);
}

/** Returns the bytes of a table, decompressed when the font is a WOFF file. */
function findTable(font: Buffer, tag: string): Buffer | undefined {
  if (font.length < 12) throw new FontFormatError('the file is too short to be a font');
  const signature = font.toString('latin1', 0, 4);
  if (signature === 'wOFF') return findWoffTable(font, tag);
  if (signature === 'wOF2') return findWoff2Table(font, tag);
  if (signature === 'ttcf') throw new FontFormatError('font collections (TTC) are not supported');
  const tableCount = font.readUInt16BE(4);
  for (let i = 0; i < tableCount; i++) {
    const record = 12 + i * 16;
    if (record + 16 > font.length) break;
    if (font.toString('latin1', record, record + 4) !== tag) continue;
    const offset = font.readUInt32BE(record + 8);
    const length = font.readUInt32BE(record + 12);
    return checkedSlice(font, offset, length);
  }
  return undefined;
}

function findWoffTable(font: Buffer, tag: string): Buffer | undefined {
  const tableCount = font.readUInt16BE(12);
  for (let i = 0; i < tableCount; i++) {
    const record = 44 + i * 20;
    if (record + 20 > font.length) break;
    if (font.toString('latin1', record, record + 4) !== tag) continue;
    const offset = font.readUInt32BE(record + 4);
    const compressedLength = font.readUInt32BE(record + 8);
    const length = font.readUInt32BE(record + 12);
    const stored = checkedSlice(font, offset, compressedLength);
    // WOFF stores a table uncompressed when compression would not make it smaller.
    return compressedLength === length ? stored : inflateSync(stored);
  }
  return undefined;
}

/** Table tags of WOFF 2 whose directory entries give an index into this list instead of a tag. */
const WOFF2_KNOWN_TAGS = (
  'cmap head hhea hmtx maxp name OS/2 post cvt  fpgm glyf loca prep CFF  VORG EBDT EBLC gasp hdmx kern ' +
  'LTSH PCLT VDMX vhea vmtx BASE GDEF GPOS GSUB EBSC JSTF MATH CBDT CBLC COLR CPAL SVG  sbix acnt avar ' +
  'bdat bloc bsln cvar fdsc feat fmtx fvar gvar hsty just lcar mort morx opbd prop trak Zapf Silf Glat ' +
  'Gloc Feat Sill'
)
  .match(/.{4}(?: |$)/g)!
  .map((tag) => tag.slice(0, 4));

function findWoff2Table(font: Buffer, tag: string): Buffer | undefined {
  if (font.length < 48) throw new FontFormatError('the WOFF2 header is truncated');
  if (font.toString('latin1', 4, 8) === 'ttcf')
    throw new FontFormatError('font collections are not supported');
  const tableCount = font.readUInt16BE(12);
  const compressedLength = font.readUInt32BE(20);
  let at = 48;
  let dataOffset = 0;
  let found: { offset: number; length: number } | undefined;
  for (let i = 0; i < tableCount; i++) {
    const flags = font.readUInt8(at);
    at += 1;
    const index = flags & 0x3f;
    let entryTag = WOFF2_KNOWN_TAGS[index];
    if (index === 63) {
      entryTag = font.toString('latin1', at, at + 4);
      at += 4;
    }
    let length: number;
    [length, at] = readBase128(font, at);
    const version = flags >> 6;
    // glyf and loca are transformed unless their version is 3; other tables only when it is not 0.
    const transformed = entryTag === 'glyf' || entryTag === 'loca' ? version !== 3 : version !== 0;
    if (transformed) [length, at] = readBase128(font, at);
    if (entryTag === tag) found = { offset: dataOffset, length };
    // Tables follow each other in the decompressed stream in directory order, without padding.
    dataOffset += length;
  }
  if (found === undefined) return undefined;
  const stream = brotliDecompressSync(checkedSlice(font, at, compressedLength));
  return checkedSlice(stream, found.offset, found.length);
}

/** Reads a UIntBase128 (1 to 5 bytes, 7 bits each, high bit set on all but the last). */
function readBase128(font: Buffer, start: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (start + i >= font.length) break;
    const byte = font.readUInt8(start + i);
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return [value, start + i + 1];
  }
  throw new FontFormatError('invalid UIntBase128 in the WOFF2 table directory');
}

function checkedSlice(font: Buffer, offset: number, length: number): Buffer {
  if (offset + length > font.length) throw new FontFormatError('a table reaches past the end of the file');
  return font.subarray(offset, offset + length);
}

/**
 * Picks the Unicode subtables: (platform 3, encoding 10) or (0, 4)/(0, 6) in format 12 for every
 * plane, else (3, 1) or (0, 3) in format 4. Symbol fonts (3, 0) are read as a last resort.
 */
function parseCmap(cmap: Buffer): Coverage {
  const count = cmap.readUInt16BE(2);
  const candidates: { rank: number; offset: number }[] = [];
  for (let i = 0; i < count; i++) {
    const record = 4 + i * 8;
    const platform = cmap.readUInt16BE(record);
    const encoding = cmap.readUInt16BE(record + 2);
    const offset = cmap.readUInt32BE(record + 4);
    if (offset + 2 > cmap.length) continue;
    const format = cmap.readUInt16BE(offset);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (format === 12 && unicode) candidates.push({ rank: 0, offset });
    else if (format === 4 && unicode) candidates.push({ rank: 1, offset });
    else if (format === 4 && platform === 3 && encoding === 0) candidates.push({ rank: 2, offset });
  }
  candidates.sort((a, b) => a.rank - b.rank);
  const best = candidates[0];
  if (best === undefined) throw new FontFormatError('the font has no Unicode cmap subtable');
  const format = cmap.readUInt16BE(best.offset);
  return new Coverage(format === 12 ? format12(cmap, best.offset) : format4(cmap, best.offset));
}

/** Segment mapping to delta values: BMP code points in segments, each with a delta or a glyph array. */
function format4(cmap: Buffer, offset: number): [number, number][] {
  const segmentCount = cmap.readUInt16BE(offset + 6) / 2;
  const endCodes = offset + 14;
  const startCodes = endCodes + segmentCount * 2 + 2;
  const idDeltas = startCodes + segmentCount * 2;
  const idRangeOffsets = idDeltas + segmentCount * 2;
  const ranges: [number, number][] = [];
  for (let segment = 0; segment < segmentCount; segment++) {
    const end = cmap.readUInt16BE(endCodes + segment * 2);
    const start = cmap.readUInt16BE(startCodes + segment * 2);
    const delta = cmap.readInt16BE(idDeltas + segment * 2);
    const rangeOffsetAt = idRangeOffsets + segment * 2;
    const rangeOffset = cmap.readUInt16BE(rangeOffsetAt);
    for (let code = start; code <= end && code !== 0xffff; code++) {
      let glyph: number;
      if (rangeOffset === 0) {
        glyph = (code + delta) & 0xffff;
      } else {
        // The offset is counted in bytes from the idRangeOffset entry itself into glyphIdArray.
        const at = rangeOffsetAt + rangeOffset + (code - start) * 2;
        const raw = at + 2 <= cmap.length ? cmap.readUInt16BE(at) : 0;
        glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (glyph !== 0) appendCode(ranges, code);
    }
  }
  return ranges;
}

/** Segmented coverage: groups of consecutive code points mapped to consecutive glyphs. */
function format12(cmap: Buffer, offset: number): [number, number][] {
  const groupCount = cmap.readUInt32BE(offset + 12);
  const ranges: [number, number][] = [];
  for (let i = 0; i < groupCount; i++) {
    const group = offset + 16 + i * 12;
    if (group + 12 > cmap.length) break;
    const start = cmap.readUInt32BE(group);
    const end = cmap.readUInt32BE(group + 4);
    const startGlyph = cmap.readUInt32BE(group + 8);
    // A group starting at glyph 0 maps its first code point to .notdef, which means "missing".
    const first = startGlyph === 0 ? start + 1 : start;
    if (first <= end) ranges.push([first, end]);
  }
  return ranges;
}

function appendCode(ranges: [number, number][], code: number): void {
  const last = ranges.at(-1);
  if (last && last[1] === code - 1) last[1] = code;
  else ranges.push([code, code]);
}
