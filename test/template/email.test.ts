import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateEmail } from '../../src/template/email.ts';

describe('validateEmail', () => {
  const accepted = [
    'ada@example.org',
    'first.last@example.org',
    'ada+newsletter@example.org',
    "o'brien@example.ie",
    'ada@mail.example.co.uk',
    'ADA@EXAMPLE.ORG',
    'jose@exämple.fr',
    'user@xn--exmple-cua.fr',
    'taro@例え.jp',
    'taro@例え。jp',
    'ivan@пример.рф',
    'josé@example.fr',
    // "e" followed by a combining acute accent, as macOS file names and some keyboards produce it.
    'jose\u0301@example.fr',
    'नमस्ते@example.in',
    `${'a'.repeat(64)}@example.org`,
  ];
  for (const address of accepted) {
    it(`accepts ${JSON.stringify(address)}`, () => {
      assert.equal(validateEmail(address), undefined);
    });
  }

  const rejected: [string, RegExp][] = [
    ['"Zoë" <z@example.org>', /without a display name/],
    ['Zoë <z@example.org>', /without a display name/],
    ['<z@example.org>', /without a display name/],
    ['a@example.org, b@example.org', /one address, not a list/],
    ['a@example.org;b@example.org', /one address, not a list/],
    ['a@b.c\r\nBcc: x@y.z', /line break/],
    ['a@example.org\n', /line break/],
    ['a@example.org\rBcc: x@y.z', /line break/],
    ['ada.example.org', /not of the form name@domain/],
    ['@example.org', /not of the form name@domain/],
    ['ada@', /not of the form name@domain/],
    ['ada @example.org', /without a display name or spaces/],
    ['ada@example', /"example" is not a valid domain/],
    ['ada@-example.org', /not a valid domain/],
    ['ada@example-.org', /not a valid domain/],
    ['ada@example..org', /not a valid domain/],
    ['ada@.example.org', /not a valid domain/],
    ['ada@example.org.', /not a valid domain/],
    ['ada@exa_mple.org', /not a valid domain/],
    ['ada@127.0.0.1', /not a valid domain/],
    ['ada@[127.0.0.1]', /not a valid domain/],
    ['ada@ex%41mple.org', /not a valid domain/],
    ['ada@exa\u00admple.org', /not a valid domain/],
    ['ada@exa\u200bmple.org', /not a valid domain/],
    ['ada@ex/ample.org', /not a valid domain/],
    ['ada@xn--zz.fr', /not a valid domain/],
    [`ada@${'a'.repeat(64)}.org`, /not a valid domain/],
    ['.ada@example.org', /not a valid name before "@"/],
    ['ada.@example.org', /not a valid name before "@"/],
    ['a..da@example.org', /not a valid name before "@"/],
    ['a@da@example.org', /not a valid name before "@"/],
    ['a(da)@example.org', /not a valid name before "@"/],
    [`${'a'.repeat(65)}@example.org`, /longer than 64 bytes/],
    [`${'é'.repeat(33)}@example.org`, /longer than 64 bytes/],
    // A 251-byte domain is allowed on its own, but with "ada@" the path exceeds 254 bytes.
    [`ada@${['a', 'b', 'c', 'd'].map((c) => c.repeat(61)).join('.')}.org`, /longer than 254 bytes/],
    [`ada@${['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(60)).join('.')}.org`, /longer than 254 bytes/],
  ];
  for (const [address, reason] of rejected) {
    it(`rejects ${JSON.stringify(address)}`, () => {
      const result = validateEmail(address);
      assert.ok(result !== undefined, 'expected a reason');
      assert.match(result, reason);
    });
  }
});
