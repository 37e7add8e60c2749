// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskFrame } from '@/components/chapter/task-frame';
import { I18nProvider } from '@/i18n/client';
import { getDictionary } from '@/i18n/dictionaries';

afterEach(cleanup);

const frame = (legacyCheck: boolean | undefined, locale: 'ru' | 'en' = 'ru') =>
  render(
    <I18nProvider locale={locale} t={getDictionary(locale)}>
      <TaskFrame taskId="t1" number={1} solved={false} kind="program" legacyCheck={legacyCheck}>
        <p>statement</p>
      </TaskFrame>
    </I18nProvider>,
  );

describe('TaskFrame: the staff-only "legacy check" badge', () => {
  it('shows the badge with its explanation as a tooltip when the task has a legacy check', () => {
    const { getByTestId } = frame(true, 'en');
    const badge = getByTestId('legacy-check');
    expect(badge.textContent).toBe('legacy check');
    expect(badge.getAttribute('title')).toMatch(/can tamper with it/);
  });

  it('shows nothing otherwise (students never get the flag)', () => {
    for (const flag of [false, undefined]) {
      const { queryByTestId, unmount } = frame(flag);
      expect(queryByTestId('legacy-check')).toBeNull();
      unmount();
    }
  });
});
