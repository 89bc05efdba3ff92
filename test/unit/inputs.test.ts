// The render input reader (src/cli/inputs.ts) against the real one: every row of the table is read
// by readManifests and by yaml2json, a Go program that reads manifests with kubectl's own code
// (apimachinery's YAMLOrJSONDecoder and sigs.k8s.io/yaml, test/tools/yaml2json), and the two must
// agree: both refuse the file, or both produce the same documents. A few headline rows are also
// pinned to their values, so a change on both sides cannot pass unnoticed.
import { execFileSync } from 'node:child_process';
import { readManifests, suggestKind } from '../../src/cli/inputs.js';
import { toolPath } from '../helpers/tools.js';

type Outcome = { ok: true; docs: unknown[] } | { ok: false; why: string };

/** Our reading, as kubectl would apply it. */
function ours(bytes: Buffer): Outcome {
  try {
    const docs = readManifests(bytes);
    const failed = docs.find((d) => 'error' in d);
    if (failed && 'error' in failed) return { ok: false, why: failed.error };
    return { ok: true, docs: docs.map((d) => ('value' in d ? d.value : undefined)) };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
}

/** kubectl's reading of every row, in one yaml2json process. */
function kubectl(inputs: Buffer[]): Outcome[] {
  const out = execFileSync(toolPath('yaml2json'), { input: JSON.stringify(inputs.map((b) => b.toString('base64'))), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return (JSON.parse(out) as Array<{ docs: unknown[]; error?: string }>).map((r) => (r.error ? { ok: false, why: r.error } : { ok: true, docs: r.docs }));
}

/** A YAML alias bomb: `levels` lists of `width` aliases to the level below. */
function laughs(levels: number, width = 10): string {
  const lines = ['l0: &l0 "lol"'];
  for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array.from({ length: width }, () => `*l${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

const utf16 = (s: string, order: 'le' | 'be') => {
  const le = Buffer.from(`\ufeff${s}`, 'utf16le');
  return order === 'le' ? le : Buffer.from(le).swap16();
};

const scalars = (...values: string[]) => values.map((v): [string, string] => [`v: ${v}`, `v: ${v}\n`]);

const rows: Array<[string, string | Buffer]> = [
  // Integers: octal, hex, binary, signs, underscores, range.
  ...scalars('010', '0o17', '0O17', '0x1F', '0X1f', '0x_1F', '-0x1F', '+0x1F', '0b101', '-0b101', '0b102', '08', '09.5', '0', '-0', '+0', '00', '0x'),
  ...scalars('1_000', '1__0', '1_', '_1', '+', '-', '1:30', '190:20:30', '1,000', '12abc', '0x1p3'),
  ...scalars('9223372036854775807', '9223372036854775808', '18446744073709551615', '18446744073709551616', '-9223372036854775808', '-9223372036854775809'),
  ...scalars('0xFFFFFFFFFFFFFFFF', '0x1FFFFFFFFFFFFFFFF', '-0x8000000000000000', '-0x8000000000000001', `1${'0'.repeat(400)}`),
  // Floats.
  ...scalars('1e3', '1E3', '1.', '.5', '-.5', '+.5e2', '.5_0', '._5', '.5e1_0', '1.5e-3', '1e400', '.5e400', '1e-400', '-0.0', '1.0', '.', '1e', '3.14159265358979'),
  ...scalars('.nan', '.NaN', '.NAN', '.inf', '.Inf', '+.inf', '-.INF', '.iNf', 'nan', 'inf', 'Infinity'),
  // Booleans and nulls: exactly the spellings go-yaml v2 looks up.
  ...scalars('y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'),
  ...scalars('n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'),
  ...scalars('yEs', 'oN', 'tRUE', 'nO', 'oFF', 'yes please', '~', 'null', 'Null', 'NULL', 'nULL', '', '"yes"', "'010'", '"~"'),
  // Timestamps stay the text as written.
  ...scalars('2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10', '2001-12-14T21:59:43Z', '2001-13-45', '2001-2-3', '20011-12-14'),
  // Explicit tags.
  ...scalars('!!str 010', '!!str yes', '!!int "010"', '!!int 1.5', '!!int 18446744073709551615', '!!float 1', '!!float "2"', '!!float 18446744073709551615', '!!bool yes', '!!bool 1'),
  ...scalars('!!null ~', '!!null ""', '!!null foo', '!!timestamp 2001-12-14', '!!timestamp 2001-02-29', '!!timestamp foo', '!!binary aGk=', '!!binary "/w=="', '!!binary 4oI=', '!!binary "!!"'),
  ...scalars('! 010', '!custom 010', '!custom yes', '!!set {a}', '!!map {a: 1}', '!!seq [010]'),
  // Quoting and escapes.
  ...scalars('"\\x41\\u00e9\\U0001F600\\t\\e\\N\\_\\L\\P\\0\\a"', '"\\/"', '"\\ud800"', '"\\U0000dfff"', '"\\q"', "'it''s'", '"multi\n  line"', 'plain\n  folded\n  text'),
  ['block scalars', 'a: |\n  one\n  two\nb: >-\n  folded\n  text\nc: |+\n  kept\n\nd: end\n'],
  ['nested collections', 'a: [1, 2, {b: c, d: [y, n]}]\nb:\n  - x: 010\n  - [on, off]\n'],
  ['a tab after the colon', 'a:\tb\n'],
  ['a plain scalar with a colon', 'key:value\n'],
  ['an explicit key without value', '? a\n'],
  // Keys: typed like values, then named as sigs.k8s.io/yaml names them.
  ['boolean-looking keys', 'y: 1\nn: 2\non: 3\nOFF: 4\nyES: 5\n'],
  ['number keys', '1: a\n010: b\n0x10: c\n-3: d\n'],
  ['float keys', '1.5: a\n1e6: b\n0.1: c\n3.14159265358979: d\n1e-7: e\n123456.7: f\n1.0: g\n.inf: h\n-.inf: i\n.nan: j\n-0.0: k\n'],
  ['a float key beyond float32 (named .inf)', '1e39: a\n'],
  ['a timestamp key', '2001-12-14: a\n'],
  ['a null key', '~: a\n'],
  ['an empty key', ': a\n'],
  ['a uint64 key', '18446744073709551615: a\n'],
  ['a sequence as key', '? [a]\n: b\n'],
  ['a __proto__ key', '__proto__: {a: 1}\nb: 2\n'],
  ['duplicate keys: the last wins', 'a: 1\nb: 2\na: 3\n'],
  // Merge keys, with go-yaml v2's order: merged keys overwrite keys written before `<<`.
  ['a merge', 'base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  c: 3\n'],
  ['keys before and after a merge', 'base: &b {a: 1, b: 2}\nm:\n  a: 0\n  <<: *b\n  b: 9\n'],
  ['a list of merges: earlier maps win', 'x: &x {a: 1}\ny: &y {a: 2, b: 2}\nm:\n  <<: [*x, *y]\n'],
  ['a merge of an inline map', 'm:\n  <<: {a: 1}\n  b: 2\n'],
  ['nested merges', 'a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b, z: 3}\n'],
  ['a merge in a flow map', 'b: &b {a: 1}\nc: {<<: *b, c: 1}\n'],
  ['a quoted "<<" is a plain key', 'b: &b {a: 1}\nc: {"<<": *b}\n'],
  ['an explicit !!merge', 'b: &b {a: 1}\nc: {!!merge <<: *b}\n'],
  ['a merge of a scalar', 'b: &b 1\nc: {<<: *b}\n'],
  ['a merge of a list holding a scalar', 'c: {<<: [{a: 1}, 2]}\n'],
  ['a merge without value', 'c:\n  <<:\n'],
  // Aliases.
  ['aliases of scalars and lists', 's: &s 010\nl: &l [a, b]\nx: [*s, *l]\n'],
  ['a redefined anchor', 'a: &x 1\nb: *x\nc: &x 2\nd: *x\n'],
  ['an unknown anchor', 'a: *nope\n'],
  ['an anchor containing itself', 'a: &x [*x]\n'],
  ['an alias as key', 'k: &k key\n*k : v\n'],
  ['laughs, 2 levels (100 leaves)', laughs(2)],
  ['laughs, 3 levels (1000 leaves)', laughs(3)],
  ['laughs, 4 levels (10^4 leaves)', laughs(4)],
  ['laughs, 9 levels (10^9 leaves)', laughs(9)],
  // go-yaml's limit is a share of aliased nodes (99% for small documents): plain nodes before the
  // expansion dilute it. 194 padding nodes are one too few, 195 just enough, for both readers.
  ['alias expansion just over the limit', `pad: [${Array.from({ length: 194 }, (_, i) => i).join(', ')}]\n${laughs(4)}`],
  ['alias expansion just under the limit', `pad: [${Array.from({ length: 195 }, (_, i) => i).join(', ')}]\n${laughs(4)}`],
  ['many aliases of one large list', `big: &big [${Array.from({ length: 300 }, (_, i) => i).join(', ')}]\n${Array.from({ length: 60 }, (_, i) => `c${i}: *big`).join('\n')}\n`],
  // Documents as kubectl splits them.
  ['two documents', 'a: 1\n---\nb: 2\n'],
  ['a leading separator and an empty document', '---\na: 1\n---\n---\nb: 2\n'],
  ['a comment after the separator', 'a: 1\n--- # next\nb: 2\n'],
  ['a document of only a comment', 'a: 1\n---\n# nothing\n'],
  ['content on the separator line', 'a: 1\n--- b: 2\n'],
  ['a block scalar on the separator line', '--- |\n  text\n'],
  ['four dashes', 'a: 1\n----\nb: 2\n'],
  ['an end marker and more content', 'a: 1\n...\nb: 2\n'],
  ['CRLF line endings', 'a: 010\r\n---\r\nb: yes\r\n'],
  ['a lone CR ends a line', 'a: b\r'],
  ['lone CRs between keys', 'a: 1\rb: 2\r'],
  ['a separator between lone CRs does not split for kubectl', 'a: 1\r---\rb: 2\r'],
  ['a separator between NELs does not split for kubectl', 'a: 1\u0085---\u0085b: 2\n'],
  ['a separator alone', '---\n'],
  ['two separators', '---\n---\n'],
  ['an end marker first', '...\n'],
  ['an end marker after a comment', '# c\n...\n'],
  ['an end marker after a separator', '---\n...\n'],
  ['an end marker opening a later document', 'a: 1\n---\n...\nb: 2\n'],
  ['an indented end marker is text', 'a: x\n  ...\n'],
  ['a %YAML directive', '%YAML 1.1\n---\na: 1\n'],
  ['a %YAML 1.2 directive', '%YAML 1.2\n---\na: 1\n'],
  ['a %TAG directive', '%TAG ! tag:x,2000:\n---\na: !y 1\n'],
  ['a % inside a block scalar', 'a: |\n  %x\n'],
  ['an empty file', ''],
  ['only blanks', '  \n\n'],
  ['a top-level scalar', 'just text\n'],
  ['invalid YAML', 'a: [unclosed\n'],
  // JSON: kubectl reads a stream starting with `{` as JSON first.
  ['JSON', '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "labels": {"y": "n"}}, "n": [1.5, true, null]}\n'],
  ['JSON with \\/', '{"a": "\\/", "b": "010"}'],
  ['JSON with duplicate keys', '{"a": 1, "a": 2}'],
  ['a YAML flow map that is not JSON', '{a: 010, b: yes}\n'],
  ['a JSON array', '[1, "x", 010]\n'],
  ['JSON objects one after another', '{"a": 1}\n{"b": 2}\n'],
  ['JSON objects without blanks between', '{"a": 1}{"b": 2}'],
  ['JSON values of any type after the first object', '{"a": 1} 5 "x" [1] true null\n'],
  ['a JSON object, then YAML', '{"a": 1}\nb: 010\n'],
  ['a JSON object, blank lines, then YAML', '{"a": 1}  \n  \nb: 2\n'],
  ['a JSON object, then YAML with a separator', '{"a": 1}\n---\nb: 2\n'],
  ['a JSON object, then too little to switch to YAML', '{"a": 1}\nx\n'],
  ['a JSON object, then text on its line', '{"a": 1} xyz: 1\n'],
  ['two JSON objects, then garbage', '{"a": 1}{"b": 2}{"c"'],
  ['JSON after blank lines', ' \n {"a": 1}'],
  ['JSON that is not closed', '{"a": 1'],
  // Encodings and characters.
  ['a UTF-8 byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a: 010\n')])],
  ['UTF-16LE with byte order mark', utf16('a: 010\nb: ünï\n', 'le')],
  ['UTF-16BE with byte order mark', utf16('a: 010\nb: ünï\n', 'be')],
  ['invalid UTF-8 in a value', Buffer.concat([Buffer.from('a: x'), Buffer.from([0xff]), Buffer.from('\n')])],
  ['a truncated UTF-8 sequence', Buffer.concat([Buffer.from('a: x'), Buffer.from([0xe2, 0x82]), Buffer.from('\n')])],
  ['invalid UTF-8 in a comment', Buffer.concat([Buffer.from('a: 1 # '), Buffer.from([0xc0, 0x80]), Buffer.from('\n')])],
  ['non-ASCII text', 'name: 名前\nemoji: 😀\n'],
  ['a raw BEL character', 'a: x\u0007y\n'],
  ['a raw DEL character', 'a: x\u007fy\n'],
  ['a raw C1 control', 'a: x\u009by\n'],
  ['a raw NEL in quotes (a line break to go-yaml)', 'a: "x\u0085  y"\n'],
  ['a raw NEL in a plain scalar', 'a: x\u0085y\n'],
  ['a raw NEL before an indented line', 'a: x\u0085 y\n'],
  ['a raw NEL in a block scalar', 'a: |\n  x\u0085  y\n'],
  ['a raw NEL in a comment', 'a: 1 # c\u0085b: 2\n'],
  ['a raw U+FFFE', 'a: x\ufffey\n'],
  ['a raw BOM inside the text', 'a: x\ufeffy\n'],
  ['a control character in a comment', 'a: 1 # \u0001\n'],
  ['a NUL escape', 'a: "x\\0y"\n'],
];

// Where kubectl's result is not well defined, render refuses: these rows are read by kubectl and
// refused by us, on purpose.
const stricter: Array<[string, string, RegExp]> = [
  // Two Go keys, one JSON key: sigs.k8s.io/yaml keeps whichever Go's (randomised) map iteration
  // meets last (see the test below).
  ['an int key and a string key that collide', '1: a\n"1": b\n', /keys int 1 and "1" both become "1"/],
  ['float keys that collide in float32', '.inf: a\n1e39: b\n', /both become ".inf"/],
  // LS and PS break lines for go-yaml, not for editors: quoted, they fold into a space.
  ['a raw LINE SEPARATOR in quotes', 'a: "x\u2028y"\n', /U\+2028 LINE SEPARATOR is a line break to kubectl/],
  ['a raw PARAGRAPH SEPARATOR in quotes', 'a: "x\u2029\u2029y"\n', /U\+2029 PARAGRAPH SEPARATOR/],
  // go-yaml lets the continuation of a quoted scalar start at column 0; the yaml library (and the
  // YAML spec) do not: refused as unterminated rather than read some other way.
  ['a quoted scalar continued at column 0', 'a: "x\ny"\n', /Missing closing "quote/],
  // kubectl sends the digits as written; the API server cannot read them as a float64.
  ['a JSON number beyond float64', '{"a": 1e400}', /out of the float64 range/],
  // go-yaml reads the directive as the end of an empty document and drops the rest.
  ['a directive after a leading separator', '---\n%YAML 1.1\n', /directives cannot be used/],
];

describe('readManifests agrees with kubectl (yaml2json) on every row', () => {
  const inputs = rows.map(([, content]) => (typeof content === 'string' ? Buffer.from(content) : content));
  let theirs: Outcome[];
  beforeAll(() => {
    theirs = kubectl(inputs);
    expect(theirs).toHaveLength(rows.length);
  });

  test.each(rows.map(([label], i) => [label, i] as const))('%s', (_label, i) => {
    const mine = ours(inputs[i]);
    const expected = theirs[i];
    if (expected.ok) {
      expect(mine).toEqual(expected);
    } else {
      // Refused by both; the reasons are worded differently.
      expect({ ok: mine.ok, kubectlSays: expected.why }).toEqual({ ok: false, kubectlSays: expected.why });
    }
  });

  test.each(stricter)('stricter on purpose: %s', (_label, text, reason) => {
    const [theirs] = kubectl([Buffer.from(text)]);
    expect(theirs.ok).toBe(true);
    expect(ours(Buffer.from(text))).toEqual({ ok: false, why: expect.stringMatching(reason) as unknown });
  });

  test('colliding keys really are random in kubectl: both values come out over 200 reads', () => {
    const results = kubectl(Array.from({ length: 200 }, () => Buffer.from('1: a\n"1": b\n')));
    const values = new Set(results.map((r) => (r.ok ? (r.docs[0] as Record<string, string>)['1'] : 'error')));
    expect([...values].sort()).toEqual(['a', 'b']);
  });

  test('the table covers both outcomes in numbers', () => {
    const outcomes = rows.map((_, i) => ours(inputs[i]).ok);
    expect(outcomes.filter((ok) => ok).length).toBeGreaterThan(100);
    expect(outcomes.filter((ok) => !ok).length).toBeGreaterThan(25);
  });
});

describe('readManifests, pinned', () => {
  const one = (text: string | Buffer) => {
    const r = ours(typeof text === 'string' ? Buffer.from(text) : text);
    if (!r.ok) throw new Error(r.why);
    return r.docs[0];
  };

  test('YAML 1.1 numbers and booleans as kubectl reads them', () => {
    expect(one('a: 010\nb: 0x1F\nc: 1_000\nd: 08\ne: 1e3\nf: 0o17\n')).toEqual({ a: 8, b: 31, c: 1000, d: 8, e: 1000, f: 15 });
    expect(one('a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: N\ng: yEs\n')).toEqual({ a: true, b: false, c: true, d: false, e: true, f: false, g: 'yEs' });
    expect(one('a: 1:30\nb: 2001-12-14\nc: ~\nd:\n')).toEqual({ a: '1:30', b: '2001-12-14', c: null, d: null });
    expect(one('y: 1\n1.5: 2\n1e6: 3\n')).toEqual({ true: 1, '1.5': 2, '1e+06': 3 });
  });

  test('merge keys merge, and merged keys overwrite the keys before them', () => {
    expect(one('b: &b {a: 1, b: 2}\nm:\n  a: 0\n  <<: *b\n  b: 9\n')).toEqual({ b: { a: 1, b: 2 }, m: { a: 1, b: 9 } });
  });

  test('a __proto__ key is data', () => {
    const v = one('__proto__: {polluted: true}\n') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('errors say where: line and column in the file, also in later documents', () => {
    expect(ours(Buffer.from('a: 1\n---\nb: 2\nc: d: e\n'))).toEqual({ ok: false, why: 'invalid YAML: Nested mappings are not allowed in compact mappings (line 4, column 4)' });
    expect(ours(Buffer.from('a: 1\nb: !!int x\n'))).toEqual({ ok: false, why: 'invalid YAML: cannot decode !!str `x` as a !!int (line 2, column 10)' });
    expect(ours(Buffer.from('a: 1\n--- b\n'))).toEqual({ ok: false, why: expect.stringMatching(/^line 2: invalid document separator/) as unknown });
    expect(ours(Buffer.from('a: 1\nb: x\u0007\n'))).toEqual({ ok: false, why: 'line 2, column 5: control character U+0007 is not allowed in YAML' });
    expect(ours(Buffer.concat([Buffer.from('a: 1\nb: '), Buffer.from([0xff])]))).toEqual({ ok: false, why: 'not valid UTF-8 (first bad byte 0xff at byte offset 8, line 2)' });
  });

  test('the alias limit is go-yaml\'s, to the node', () => {
    const padded = (n: number) => Buffer.from(`pad: [${Array.from({ length: n }, (_, i) => i).join(', ')}]\n${laughs(4)}`);
    expect(ours(padded(194))).toEqual({ ok: false, why: expect.stringMatching(/excessive aliasing/) as unknown });
    expect(ours(padded(195)).ok).toBe(true);
  });

  test('an alias bomb is refused quickly', () => {
    const started = Date.now();
    expect(ours(Buffer.from(laughs(9)))).toEqual({ ok: false, why: expect.stringMatching(/excessive aliasing/) as unknown });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('content after an end marker is dropped with a note, as kubectl drops it', () => {
    expect(readManifests(Buffer.from('a: 1\n...\nb: 2\n'))).toEqual([{ value: { a: 1 }, note: expect.stringMatching(/after the document end marker/) as unknown }]);
  });
});

describe('suggestKind', () => {
  test.each([
    ['OperationPolicie', 'OperationPolicy'],
    ['operationpolicy', 'OperationPolicy'],
    ['Securitypolicy', 'SecurityPolicy'],
    ['SecurityPolicies', 'SecurityPolicy'],
    ['SecuirtyPolicy', 'SecurityPolicy'],
    ['ModuleConfg', 'ModuleConfig'],
    ['moduleconfig', 'ModuleConfig'],
    ['namespace', 'Namespace'],
    ['NameSpace', 'Namespace'],
    ['Namespce', 'Namespace'],
  ])('%s: did you mean %s?', (kind, expected) => {
    expect(suggestKind(kind)).toBe(expected);
  });

  test.each(['OperationPolicy', 'Namespace', 'PodSecurityPolicy', 'ConfigMap', 'Namespaces2', 'ModuleSource', 'Policy', '', 'SecurityPolicyException'])('%s: no suggestion', (kind) => {
    expect(suggestKind(kind)).toBeUndefined();
  });
});
