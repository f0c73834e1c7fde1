/** Runs one variable case and checks its result, for the test and for the page that lists the cases. */
import assert from 'node:assert/strict';
import type { VariableCase } from './cases.ts';
import { FrameCache, verify } from './checks.ts';
import type { CaseValue, Harness, Outcome } from './harness.ts';

const DEFAULT_EMAIL = 'ada@example.com';

/** Returns the values a case sends: its own, with the default recipient unless it sets or removes one. */
export function caseValues(testCase: VariableCase): Record<string, CaseValue> {
  const values: Record<string, CaseValue> = {};
  for (const [name, value] of Object.entries({ TXT_USEREMAIL: DEFAULT_EMAIL, ...testCase.values })) {
    if (value !== null) values[name] = value;
  }
  return values;
}

/** Describes what happened, for assertion messages and the page of cases. */
export function describeOutcome(outcome: Outcome): string {
  if ('rendered' in outcome) return 'rendered';
  const { at, code, field, message } = outcome.refused;
  return `rejected at ${at} with ${code} (${field ?? 'no field'}): ${message}`;
}

/**
 * Runs the case and throws an AssertionError when its result differs from the expected one.
 * Returns what happened.
 */
export async function checkCase(harness: Harness, testCase: VariableCase): Promise<Outcome> {
  const outcome = await harness.run(testCase.template, caseValues(testCase));
  const happened = describeOutcome(outcome);
  if ('rejected' in testCase.expect) {
    const expected = testCase.expect.rejected;
    assert.ok('refused' in outcome, `expected ${expected.code} at ${expected.at}, but it was ${happened}`);
    assert.equal(outcome.refused.code, expected.code, happened);
    assert.equal(outcome.refused.at, expected.at, happened);
    assert.equal(outcome.refused.field, expected.field, happened);
    return outcome;
  }
  assert.ok('rendered' in outcome, `expected a render, but it was ${happened}`);
  const frames = new FrameCache(outcome.rendered);
  for (const check of testCase.expect.checks) {
    await verify(check, outcome.rendered, frames);
  }
  return outcome;
}
