/**
 * Validation of a recipient address as a mail server would accept it in `RCPT TO`: one plain
 * address, no display name, no list, no header line breaks. Internationalized domains are accepted
 * and checked in their ASCII (punycode) form.
 */
import { domainToASCII } from 'node:url';

const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Returns undefined for a valid address, or the reason it is invalid. */
export function validateEmail(address: string): string | undefined {
  if (/[\r\n]/.test(address)) return 'it contains a line break.';
  if (/[,;]/.test(address)) return 'send one address, not a list.';
  if (/[<>"]/.test(address) || /\s/.test(address))
    return 'send the bare address, without a display name or spaces.';
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return `"${address}" is not of the form name@domain.`;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64) return 'the part before "@" is longer than 64 characters.';
  if (!LOCAL_PART.test(local)) return `"${local}" is not a valid name before "@".`;
  const ascii = domainToASCII(domain.normalize('NFC'));
  if (ascii === '') return `"${domain}" is not a valid domain.`;
  const labels = ascii.toLowerCase().split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)))
    return `"${domain}" is not a valid domain.`;
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return `"${domain}" is not a valid domain.`;
  if (ascii.length > 253 || local.length + 1 + ascii.length > 254)
    return 'the address is longer than 254 characters.';
  return undefined;
}
