import { readFileSync } from 'node:fs';
import { gradingMessages } from '@lms/grading';
import { uiMessages } from '@lms/ui';
import { describe, expect, it } from 'vitest';
import { defaultLocale, format, isLocale, locales, plural } from '../../src/i18n/config.ts';
import { getDictionary } from '../../src/i18n/dictionaries.ts';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('i18n', () => {
  it('Russian is the default and both dictionaries have the same keys, none empty', () => {
    expect(defaultLocale).toBe('ru');
    const ru = keys(getDictionary('ru')).sort();
    const en = keys(getDictionary('en')).sort();
    expect(en).toEqual(ru);
    for (const locale of locales) {
      const flat = JSON.stringify(getDictionary(locale));
      expect(flat).not.toContain('""');
    }
  });

  it('placeholders of a message are the same in both languages', () => {
    const ru = getDictionary('ru');
    const en = getDictionary('en');
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const walk = (a: unknown, b: unknown, path: string) => {
      if (typeof a === 'string' && typeof b === 'string') {
        expect(names(b), path).toEqual(names(a));
      } else if (a && typeof a === 'object') {
        for (const k of Object.keys(a)) walk((a as never)[k], (b as never)[k], `${path}.${k}`);
      }
    };
    walk(ru, en, '');
  });

  it('one dictionary per language embeds the packages’ words: one switch changes them all', () => {
    for (const locale of locales) {
      const t = getDictionary(locale);
      expect(t.ui).toBe(uiMessages[locale]);
      expect(t.ui.locale).toBe(locale);
      expect(t.grading).toBe(gradingMessages[locale]);
    }
  });

  it('no word is written twice: the web’s dictionary repeats none of the packages’ words', () => {
    const source = readFileSync(new URL('../../src/i18n/dictionaries.ts', import.meta.url), 'utf8');
    const literals = new Set(
      [...source.matchAll(/'((?:[^'\\\n]|\\.)+)'/g)].map((m) => m[1]!.replace(/\\'/g, "'")),
    );
    const owned = locales.flatMap((l) => [
      ...Object.values(uiMessages[l]),
      ...Object.values(gradingMessages[l]),
    ]);
    const copies = owned.filter((word) => word.length > 2 && literals.has(word));
    expect(copies).toEqual([]);
  });

  it('format fills placeholders and leaves unknown ones', () => {
    expect(format('Решено {solved} из {total}', { solved: 1, total: 2 })).toBe('Решено 1 из 2');
    expect(format('{a} {b}', { a: 'x' })).toBe('x {b}');
  });

  it('Russian plurals have three forms, English two', () => {
    const forms = ['задача', 'задачи', 'задач'];
    expect([1, 2, 5, 11, 12, 21, 22, 25, 111].map((n) => plural('ru', n, forms))).toEqual([
      'задача',
      'задачи',
      'задач',
      'задач',
      'задач',
      'задача',
      'задачи',
      'задач',
      'задач',
    ]);
    expect(plural('en', 1, ['task', 'tasks', 'tasks'])).toBe('task');
    expect(plural('en', 3, ['task', 'tasks', 'tasks'])).toBe('tasks');
  });

  it('only known locales pass', () => {
    expect(isLocale('ru')).toBe(true);
    expect(isLocale('en')).toBe(true);
    expect(isLocale('de')).toBe(false);
    expect(isLocale(undefined)).toBe(false);
  });
});
