import fc from 'fast-check';
import { displayValue } from './display.js';

describe('displayValue', () => {
  test('printable text is unchanged: ASCII, accents, CJK, emoji, NBSP, quotes and backslashes', () => {
    for (const s of ['web-sec', 'Ünïcödé', '名前', 'a😀b', 'a\u00a0b', 'say "hi" \\n', '', ' ']) expect(displayValue(s)).toBe(s);
  });

  test('line breaks and the usual controls get their JSON escapes', () => {
    expect(displayValue('a\nb\rc\td\be\ff')).toBe('a\\nb\\rc\\td\\be\\ff');
    // The point of it all: no forged workflow command on a line of its own.
    expect(displayValue('x\n::error::forged')).toBe('x\\n::error::forged');
  });

  test('other C0 controls, DEL and C1 controls become \\u escapes', () => {
    expect(displayValue('\u0000\u0007\u001b[2J\u007f')).toBe('\\u0000\\u0007\\u001b[2J\\u007f');
    expect(displayValue('a\u0085b\u009bc')).toBe('a\\u0085b\\u009bc');
  });

  test('separators, bidi controls, zero-width and BOM characters are escaped', () => {
    expect(displayValue('\u2028\u2029')).toBe('\\u2028\\u2029');
    expect(displayValue('abc\u202edcba')).toBe('abc\\u202edcba');
    expect(displayValue('\u2066\u2067\u2068\u2069\u200e\u200f\u061c')).toBe('\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c');
    expect(displayValue('a\u200bb\ufeff')).toBe('a\\u200bb\\ufeff');
  });

  test('astral format characters, lone surrogates and noncharacters are escaped unit by unit', () => {
    expect(displayValue('\u{e0041}')).toBe('\\udb40\\udc41');
    expect(displayValue('a\ud800b\udfff')).toBe('a\\ud800b\\udfff');
    expect(displayValue('\ufffe\uffff\u{1fffe}')).toBe('\\ufffe\\uffff\\ud83f\\udffe');
  });

  test('for any string: the output has no non-printable character, escaping twice changes nothing, printable input is kept', () => {
    const nonPrintable = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Noncharacter_Code_Point}]/u;
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const once = displayValue(s);
        expect(once).not.toMatch(nonPrintable);
        expect(displayValue(once)).toBe(once);
        if (!nonPrintable.test(s)) expect(once).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });
});
