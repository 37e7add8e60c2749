import { describe, expect, it } from 'vitest';
import { defaultLocale, format, isLocale, locales, plural } from './config.ts';
import { getDictionary } from './dictionaries.ts';

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
