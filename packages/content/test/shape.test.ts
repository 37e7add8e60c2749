import { describe, expect, it } from 'vitest';
import { shapeHash, shapeTokens } from '../src/shape.ts';

describe('code shape', () => {
  const base = 'def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n';

  it('ignores comments, blank lines, spaces, line ends and the names chosen', () => {
    const same = [
      'def summa(items):  # adds\r\n\r\n    acc=0\r\n    for it in items:\r\n        acc += it\r\n    return acc',
      'def total(xs):\n    s = (\n        0\n    )\n    for x in xs:\n        s += x  # add\n    return s\n',
    ];
    for (const code of same) expect(shapeHash(code), code).toBe(shapeHash(base));
  });

  it('keeps operators, literals, attribute and built-in names, and block structure', () => {
    const different = [
      base.replace('s += x', 's -= x'),
      base.replace('s = 0', 's = 1'),
      base.replace('    return s', '        return s'),
      'def f(xs):\n    return len(xs)\n',
      'def f(xs):\n    return max(xs)\n',
      'def f(xs):\n    xs.append(1)\n',
      'def f(xs):\n    xs.add(1)\n',
    ];
    const hashes = new Set([shapeHash(base), ...different.map(shapeHash)]);
    expect(hashes.size).toBe(different.length + 1);
  });

  it("one quote style for plain strings; a name keeps its number wherever it's used", () => {
    expect(shapeHash("print('hi')")).toBe(shapeHash('print("hi")'));
    expect(shapeHash("print(r'hi')")).not.toBe(shapeHash("print(b'hi')"));
    expect(shapeTokens('a = b\nb = a').filter((t) => /^v\d$/.test(t))).toEqual([
      'v0',
      'v1',
      'v1',
      'v0',
    ]);
  });

  it('gives a shape to code that does not parse, and a stable hex hash', () => {
    const broken = 'def f(:\n  return 1 +\n';
    expect(shapeHash(broken)).toMatch(/^[0-9a-f]{16}$/);
    expect(shapeHash(broken)).toBe(shapeHash(broken.replace('f(', 'g(')));
    expect(shapeHash('')).toMatch(/^[0-9a-f]{16}$/);
  });
});
