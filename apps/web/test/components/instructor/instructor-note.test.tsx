// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskFrame } from '@/components/chapter/task-frame';
import { I18nProvider } from '@/i18n/client';
import { getDictionary } from '@/i18n/dictionaries';

afterEach(cleanup);

const frame = (note: { body: string; updatedAt: Date } | null, locale: 'ru' | 'en') =>
  render(
    <I18nProvider locale={locale} t={getDictionary(locale)}>
      <TaskFrame taskId="t1" number={1} solved={false} kind="program" instructorNote={note}>
        <p>statement</p>
      </TaskFrame>
    </I18nProvider>,
  );

describe('the instructor’s note on a task (student side)', () => {
  it('is a named aside with the note, in either language', () => {
    const note = { body: 'Use await asyncio.sleep\nnot time.sleep', updatedAt: new Date() };
    for (const [locale, name] of [
      ['en', 'Your instructor says:'],
      ['ru', 'Ваш преподаватель пишет:'],
    ] as const) {
      const { getByRole, unmount } = frame(note, locale);
      const aside = getByRole('complementary', { name });
      expect(aside.textContent).toContain('Use await asyncio.sleep\nnot time.sleep');
      unmount();
    }
  });

  it('is absent without a note', () => {
    const { queryByRole } = frame(null, 'en');
    expect(queryByRole('complementary')).toBeNull();
  });
});
