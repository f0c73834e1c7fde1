/**
 * Runs every variable case of cases.ts through upload, create and render. A case expected to be
 * rejected must be rejected at its stage with its code and field. Any other case must render, and
 * its frame must pass the case's checks.
 */
import { after, before, describe, it } from 'node:test';
import { CASES } from './cases.ts';
import { openHarness, type Harness } from './harness.ts';
import { checkCase } from './run-case.ts';

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
      await checkCase(harness, testCase);
    });
  }
});
