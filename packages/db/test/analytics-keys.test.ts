import { describe, expect, it } from 'vitest';
import {
  codeHashOf,
  engineDisagreement,
  failureOf,
  normaliseFailureMessage,
} from '../src/repo/analytics-keys.ts';

const t = (
  name: string,
  status: 'passed' | 'failed',
  message: string | null = null,
  hidden = false,
) => ({
  name,
  status,
  message,
  hidden,
});

describe('analytics keys', () => {
  it('codeHash: same program whatever its line ends and trailing spaces', () => {
    expect(codeHashOf('a = 1  \r\nprint(a)\r\n\r\n')).toBe(codeHashOf('a = 1\nprint(a)'));
    expect(codeHashOf('a = 1\nprint(a)')).not.toBe(codeHashOf('a = 2\nprint(a)'));
  });

  it('failKey: status, failing tests and the first message; values kept, noise dropped', () => {
    const a = failureOf({
      status: 'failed',
      results: [t('b', 'failed', 'got  None'), t('a', 'failed')],
    });
    const b = failureOf({
      status: 'failed',
      results: [t('a', 'failed'), t('b', 'failed', 'got None\n')],
    });
    expect(a?.failKey).toBe(b?.failKey);
    expect(a?.failingTests).toEqual(['a', 'b']);
    expect(a?.failMessage).toBe('got None');
    const other = failureOf({
      status: 'failed',
      results: [t('a', 'failed'), t('b', 'failed', 'got 0')],
    });
    expect(other?.failKey).not.toBe(a?.failKey);
    expect(
      failureOf({ status: 'timeout', results: [t('a', 'failed'), t('b', 'failed', 'got None')] })
        ?.failKey,
    ).not.toBe(a?.failKey);
    for (const status of ['passed', 'queued', 'running', 'sandbox_error']) {
      expect(failureOf({ status, results: [] }), status).toBeNull();
    }
    // no tests: the attempt's own message
    expect(
      failureOf({ status: 'error', results: null, message: 'NameError: x' })?.failMessage,
    ).toBe('NameError: x');
  });

  it('normalises addresses and traceback lines, cuts long messages', () => {
    expect(
      normaliseFailureMessage('<Foo object at 0x7f12ab> in File "/box/main.py", line 12'),
    ).toBe('<Foo object at 0x…> in File "…", line …');
    expect(normaliseFailureMessage('x'.repeat(1000))).toHaveLength(300);
  });

  it('engines disagree on the tests both ran, not on hidden tests only the server ran', () => {
    const quickPassed = { status: 'passed', results: [t('pub', 'passed')] };
    expect(
      engineDisagreement(quickPassed, { status: 'failed', results: [t('pub', 'failed')] }),
    ).toEqual({
      disagree: true,
      tests: [{ name: 'pub', quick: 'passed', final: 'failed' }],
    });
    expect(
      engineDisagreement(quickPassed, {
        status: 'failed',
        results: [t('pub', 'passed'), t('hid', 'failed', null, true)],
      }).disagree,
    ).toBe(false);
    expect(
      engineDisagreement(
        { status: 'error', results: [] },
        { status: 'passed', results: [t('pub', 'passed')] },
      ).disagree,
    ).toBe(true);
    expect(engineDisagreement(quickPassed, { status: 'sandbox_error', results: [] }).disagree).toBe(
      false,
    );
  });
});
