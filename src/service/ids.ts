/** Identifiers and API keys. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { customAlphabet } from 'nanoid';

// Lower-case letters and digits read well in URLs and survive case-folding mail clients; 16 of
// them carry 82 bits of randomness (nanoid uses the crypto generator), which cannot be guessed.
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const generateId = customAlphabet(ALPHABET, 16);

/** Makes a short, URL-safe, unguessable id for a Vidata, a project, a video template or an upload. */
export function newId(): string {
  return generateId();
}

/** Makes a batch id, a UUID as in the public API's samples. */
export function newBatchId(): string {
  return randomUUID();
}

/** Makes an API key: 128 random bits (32 hex digits) after a prefix that makes a leaked key easy to spot. */
export function newApiKey(): string {
  return `vk_${randomBytes(16).toString('hex')}`;
}

/**
 * Hashes an API key for storage. A plain sha256 is enough: the key is 128 random bits, so there
 * is no dictionary to try, and a slow password hash would only slow down every request.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** sha256 of a canonical JSON form (object keys sorted), to compare two request bodies. */
export function hashJson(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
