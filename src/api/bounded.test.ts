import { MAX_DEPTH, boundedClone, clip, pathToFirstCut, pathToLongList, quoted } from './bounded.js';

/** `depth` levels of alternating objects and arrays around `leaf`, built without recursion. */
function nested(depth: number, leaf: unknown = 'leaf'): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { k: v } : [v];
  return v;
}

describe('boundedClone', () => {
  test('copies JSON data deeply: the copy shares nothing with the input', () => {
    const input = { a: [1, 'x', null, true, { b: { c: [] } }], d: {} };
    const { value, cut } = boundedClone(input);
    expect(cut).toBe(false);
    expect(value).toEqual(input);
    const copy = value as typeof input;
    expect(copy.a).not.toBe(input.a);
    expect(copy.a[4]).not.toBe(input.a[4]);
  });

  test('keeps a "__proto__" key as an own property and never touches the prototype', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as object;
    const { value } = boundedClone(input);
    expect(Object.keys(value as object)).toEqual(['__proto__', 'x']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('copies null-prototype objects into plain objects', () => {
    const input = Object.assign(Object.create(null) as object, { a: 1 });
    expect(boundedClone(input).value).toEqual({ a: 1 });
  });

  test('exactly MAX_DEPTH levels are kept; one more is cut to null and reported', () => {
    expect(boundedClone(nested(MAX_DEPTH - 1, 'leaf')).cut).toBe(false);
    const deeper = boundedClone(nested(MAX_DEPTH + 1, 'leaf'));
    expect(deeper.cut).toBe(true);
    // Walk the copy down to the cut.
    let v = deeper.value;
    for (let i = 0; i < MAX_DEPTH; i++) v = Array.isArray(v) ? v[0] : (v as { k: unknown }).k;
    expect(v).toBeNull();
  });

  test('survives 100,000 levels and a list of 1,000,000 entries without recursion', () => {
    expect(boundedClone(nested(100_000)).cut).toBe(true);
    const wide = Array.from({ length: 1_000_000 }, (_, i) => i);
    const { value, cut } = boundedClone({ wide });
    expect(cut).toBe(false);
    expect((value as { wide: number[] }).wide[999_999]).toBe(999_999);
  });
});

describe('pathToFirstCut', () => {
  test('names the keys and indexes down to the first value that is too deep, in document order', () => {
    const input = { a: { ok: 1 }, b: [0, nested(10)], c: nested(10) };
    expect(pathToFirstCut(input, 5)).toEqual(['b', 1, 0, 'k', 0]);
  });

  test('undefined when nothing is that deep, and no stack overflow at 100,000 levels', () => {
    expect(pathToFirstCut({ a: [1, 2, { b: 3 }] })).toBeUndefined();
    expect(pathToFirstCut(nested(100_000))).toHaveLength(MAX_DEPTH);
  });
});

describe('clip and quoted', () => {
  test('short values are unchanged; long ones keep their start and say how long they were', () => {
    expect(clip('abc')).toBe('abc');
    expect(clip('x'.repeat(1000), 10)).toBe('xxxxxxxxxx... (1000 characters)');
    expect(quoted('a"b')).toBe('"a\\"b"');
    expect(quoted('y'.repeat(200)).length).toBeLessThan(130);
  });

  test('never splits a surrogate pair', () => {
    const s = 'a' + '\u{1F600}'.repeat(10); // the emoji's high surrogate falls at index 9
    const out = clip(s, 10);
    expect(out.startsWith('a' + '\u{1F600}'.repeat(4) + '...')).toBe(true);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(out)).toBe(false);
  });
});

describe('lists longer than maxList', () => {
  test('are cut to their first maxList entries and found again by pathToLongList', () => {
    const input = { a: [1, 2], b: { c: Array.from({ length: 10 }, (_, i) => i) } };
    const { value, shortened } = boundedClone(input, MAX_DEPTH, 5);
    expect(shortened).toBe(true);
    expect((value as typeof input).b.c).toEqual([0, 1, 2, 3, 4]);
    expect(pathToLongList(input, 5)).toEqual({ path: ['b', 'c'], length: 10 });
    expect(boundedClone(input, MAX_DEPTH, 10).shortened).toBe(false);
    expect(pathToLongList(input, 10)).toBeUndefined();
  });
});
