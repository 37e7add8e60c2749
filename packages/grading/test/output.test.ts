import { describe, expect, it } from 'vitest';
import { normalizeTypedOutput, outputLines, typedOutputMatches } from '../src/output.ts';

describe('outputLines', () => {
  it('drops \\r, trailing spaces of each line and trailing empty lines', () => {
    expect(outputLines('a  \r\nb\rc\t\n\n\n')).toEqual(['a', 'b', 'c']);
    expect(outputLines('')).toEqual([]);
  });

  it('keeps leading spaces and inner empty lines', () => {
    expect(outputLines('  x\n\ny')).toEqual(['  x', '', 'y']);
  });
});

describe('typedOutputMatches ("what does this print?")', () => {
  it('ignores line ends, trailing spaces and white space around the whole answer', () => {
    expect(typedOutputMatches('\n 1 2\r\n3\t \n\n', '1 2\n3')).toBe(true);
    expect(normalizeTypedOutput('  a b  \n\n')).toBe('a b');
  });

  it('refuses a changed, missing, extra or joined line', () => {
    expect(typedOutputMatches('1\n3', '1\n2')).toBe(false);
    expect(typedOutputMatches('1', '1\n2')).toBe(false);
    expect(typedOutputMatches('1\n2\n3', '1\n2')).toBe(false);
    expect(typedOutputMatches('1 2', '1\n2')).toBe(false);
    expect(typedOutputMatches('12', '1 2')).toBe(false);
  });

  it('counts spaces inside a line and the indent of later lines (a printed shape)', () => {
    expect(typedOutputMatches('a  b', 'a b')).toBe(false);
    expect(typedOutputMatches('*\n***\n*****', '  *\n ***\n*****')).toBe(false);
    expect(typedOutputMatches('*\n ***\n*****', '  *\n ***\n*****')).toBe(true);
  });

  it("normalises typography as senjun does: curly quotes, '…', no-break spaces", () => {
    expect(typedOutputMatches('\u201Chi\u201D \u2018x\u2019\u2026', '"hi" \'x\'...')).toBe(true);
    expect(typedOutputMatches('a\u00A0b', 'a b')).toBe(true);
    // guillemets are what a Russian program may really print: they stay
    expect(typedOutputMatches('\u00ABhi\u00BB', '"hi"')).toBe(false);
  });
});
