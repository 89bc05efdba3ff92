import { byCodePoint, byKey, thenBy } from './order.js';

describe('code-point ordering', () => {
  test('ignores the locale: "ch" is not a letter after "h", case and punctuation sort by code unit', () => {
    expect(['hat', 'cheap', 'Zed', 'a-b', 'ab', 'a.b'].sort(byCodePoint)).toEqual(['Zed', 'a-b', 'a.b', 'ab', 'cheap', 'hat']);
  });

  test('thenBy chains keys', () => {
    const rows = [{ k: 'b', n: '1' }, { k: 'a', n: '2' }, { k: 'a', n: '1' }];
    expect(rows.sort(thenBy(byKey((r) => r.k), byKey((r) => r.n)))).toEqual([{ k: 'a', n: '1' }, { k: 'a', n: '2' }, { k: 'b', n: '1' }]);
  });
});
