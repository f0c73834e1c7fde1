/**
 * Every variable case of cases.ts, through upload, create and render: a case expected to be rejected
 * must be rejected at its stage with its code and field; any other case must render, and its frame
 * must pass the case's checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CASES, type VariableCase } from './cases.ts';
import { FrameCache, verify } from './checks.ts';
import { openHarness, type CaseValue, type Harness, type Outcome } from './harness.ts';

const DEFAULT_EMAIL = 'ada@example.com';

function caseValues(testCase: VariableCase): Record<string, CaseValue> {
  const values: Record<string, CaseValue> = {};
  for (const [name, value] of Object.entries({ TXT_USEREMAIL: DEFAULT_EMAIL, ...testCase.values })) {
    if (value !== null) values[name] = value;
  }
  return values;
}

/** What happened, in words, for assertion messages. */
function describeOutcome(outcome: Outcome): string {
  if ('rendered' in outcome) return 'rendered';
  const { at, code, field, message } = outcome.refused;
  return `rejected at ${at} with ${code} (${field ?? 'no field'}): ${message}`;
}

describe('variable cases', { concurrency: 2 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await openHarness();
  });
  after(async () => {
    await harness.close();
  });

  for (const testCase of CASES) {
    it(`${testCase.kind}: ${testCase.name}`, async () => {
      const outcome = await harness.run(testCase.template, caseValues(testCase));
      const happened = describeOutcome(outcome);
      if ('rejected' in testCase.expect) {
        const expected = testCase.expect.rejected;
        assert.ok('refused' in outcome, `expected ${expected.code} at ${expected.at}, but it ${happened}`);
        assert.equal(outcome.refused.code, expected.code, happened);
        assert.equal(outcome.refused.at, expected.at, happened);
        assert.equal(outcome.refused.field, expected.field, happened);
        return;
      }
      assert.ok('rendered' in outcome, `expected a render, but it was ${happened}`);
      const frames = new FrameCache(outcome.rendered);
      for (const check of testCase.expect.checks) {
        await verify(check, outcome.rendered, frames);
      }
    });
  }
});
