/**
 * Validation of a recipient address as a mail server would accept it in `RCPT TO`: one plain
 * address, no display name, no list, no header line breaks. Internationalized addresses (RFC 6531)
 * are accepted: letters of any script before the "@", and domains checked in their ASCII (punycode)
 * form.
 */
import { domainToASCII } from 'node:url';

/** Dot-atom of RFC 5322 extended to Unicode letters, digits and combining marks (RFC 6531). */
const LOCAL_PART = /^[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
/**
 * Characters a domain may be written with before its conversion to ASCII: letters, marks, digits,
 * hyphens, and the full stops of Latin and CJK scripts. Anything else is rejected here, because the
 * URL parser behind `domainToASCII` would silently decode "%41" or drop a soft hyphen or zero-width
 * space, and accept a domain the sender did not type.
 */
const DOMAIN_CHARACTERS = /^[\p{L}\p{M}\p{N}.\u3002\uFF0E\uFF61-]+$/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** RFC 5321 limits, in octets: 64 for the local part, 254 for a whole forward path. */
const MAX_LOCAL_OCTETS = 64;
const MAX_ADDRESS_OCTETS = 254;

/** Returns undefined for a valid address, or the reason it is invalid as a sentence. */
export function validateEmail(address: string): string | undefined {
  if (/[\r\n]/.test(address)) return 'it contains a line break.';
  if (/[,;]/.test(address)) return 'send one address, not a list.';
  if (/[<>"]/.test(address) || /\s/.test(address)) {
    return 'send the bare address, without a display name or spaces.';
  }
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return `"${address}" is not of the form name@domain.`;

  // NFC, so that an accent typed as letter + combining mark counts as the one character it is.
  const local = address.slice(0, at).normalize('NFC');
  const domain = address.slice(at + 1);
  if (Buffer.byteLength(local) > MAX_LOCAL_OCTETS) {
    return `the part before "@" is longer than ${MAX_LOCAL_OCTETS} bytes.`;
  }
  if (!LOCAL_PART.test(local)) return `"${local}" is not a valid name before "@".`;

  const invalidDomain = `"${domain}" is not a valid domain.`;
  if (!DOMAIN_CHARACTERS.test(domain)) return invalidDomain;
  const ascii = domainToASCII(domain.normalize('NFC'));
  if (ascii === '') return invalidDomain;
  const labels = ascii.toLowerCase().split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return invalidDomain;
  // A numeric top-level label is an IPv4 address, which a recipient address must not use.
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return invalidDomain;
  if (ascii.length > 253 || Buffer.byteLength(local) + 1 + ascii.length > MAX_ADDRESS_OCTETS) {
    return `the address is longer than ${MAX_ADDRESS_OCTETS} bytes.`;
  }
  return undefined;
}
