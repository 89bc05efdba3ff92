// Reads policy files for `render`: multi-document YAML or JSON, files or directories (recursive,
// sorted). Policies, the admission-policy-engine ModuleConfig and Namespaces are kept; other kinds
// are reported as ignored. Errors name the file and document.
//
// `render` previews what `kubectl apply -f` stores, so files are read the way kubectl reads them
// (see readManifests): kubectl's document splitter, then go-yaml v2 (YAML 1.1) through
// sigs.k8s.io/yaml. A YAML 1.2 reader would disagree on `010`, `yes`, `on`, `<<` and more, and the
// preview would show objects kubectl never sends. Input is untrusted: files are bounded in size
// and kind, alias expansion is bounded, and everything printed is escaped (util/display).
import { constants, fstatSync, lstatSync, openSync, closeSync, readdirSync, readlinkSync, readSync, statSync, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { extname, join } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, visit, type Alias, type Document, type Node, type Scalar, type YAMLMap } from 'yaml';
import { MODULE_CONFIG_NAME } from '../api/types.js';
import type { NamespaceInput, PolicyInput } from '../compile/types.js';
import { displayValue } from '../util/display.js';

/** The largest input file read: far above any real manifest, small enough never to hurt. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024;
export const MAX_INPUT_DESCRIPTION = `${MAX_INPUT_BYTES / (1024 * 1024)} MiB`;

/** The kinds `render` reads; anything else is ignored with a note. */
export const INPUT_KINDS = ['OperationPolicy', 'SecurityPolicy', 'SecurityPolicyException', 'ModuleConfig', 'Namespace'] as const;

const INPUT_EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface Inputs {
  policies: PolicyInput[];
  namespaces: NamespaceInput[];
  /**
   * `spec.settings` of the ModuleConfig, with where it came from; `bare` when the settings file
   * held the mapping itself (no ModuleConfig around it), so messages name the right field path.
   */
  settings?: { value: unknown; origin: string; bare?: boolean };
  /** SecurityPolicyExceptions: checked against their CRD, not rendered (Gatekeeper reads them from the cluster). */
  exceptions: { value: Record<string, unknown>; origin: string }[];
  notes: string[];
  errors: string[];
}

// ---------------------------------------------------------------------------------------------
// Files and directories

class InputError extends Error {}

function fsProblem(err: unknown, path: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    // stat follows links: a link to nothing reports ENOENT for the link's own (existing) name.
    try {
      if (lstatSync(path).isSymbolicLink()) return `dangling symbolic link (its target ${displayValue(readlinkSync(path))} does not exist)`;
    } catch {
      // Not there at all: the plain message below.
    }
    return 'no such file or directory';
  }
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  if (code === 'ENOTDIR') return 'not a directory (a component of the path is a file)';
  return `cannot read: ${err instanceof Error ? err.message : String(err)}`;
}

function fileType(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'a special file';
}

/**
 * Expands `path` into the files to read. Directories are read recursively, in sorted order; inside
 * them only .yaml/.yml/.json entries count. Problems are reported per entry, naming the entry.
 */
function listFiles(path: string, top: boolean, ancestors: ReadonlySet<string>, out: Inputs, files: string[]): void {
  const isInput = top || INPUT_EXTENSIONS.includes(extname(path));
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    if (isInput) {
      out.errors.push(`${displayValue(path)}: ${fsProblem(err, path)}`);
    } else if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      // Without an input extension it may have been a directory of policies: say it was skipped.
      out.notes.push(`${displayValue(path)}: skipping: ${fsProblem(err, path)}`);
    }
    return;
  }
  if (!st.isDirectory()) {
    // Pipes, devices and sockets are refused when read, naming them (see readBounded).
    if (isInput) files.push(path);
    return;
  }
  // Directory links are followed (as before); one pointing back up would recurse forever.
  const id = `${st.dev}:${st.ino}`;
  if (ancestors.has(id)) {
    out.notes.push(`${displayValue(path)}: skipping: a link back to a directory that contains it`);
    return;
  }
  let entries: string[];
  try {
    entries = readdirSync(path).sort();
  } catch (err) {
    out.errors.push(`${displayValue(path)}: ${fsProblem(err, path)}`);
    return;
  }
  const inner = new Set(ancestors).add(id);
  for (const entry of entries) listFiles(join(path, entry), false, inner, out, files);
}

/**
 * The file's bytes, refusing what is not a regular file (a FIFO would block forever, /dev/zero
 * never ends) and anything over MAX_INPUT_BYTES, also when the file grows while being read.
 */
function readBounded(file: string): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer before fstat can refuse it.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new InputError(fsProblem(err, file));
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError(`${fileType(st)}, not a regular file`);
    const tooLarge = () => new InputError(`larger than ${MAX_INPUT_DESCRIPTION}, the limit for one input file`);
    if (st.size > MAX_INPUT_BYTES) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, MAX_INPUT_BYTES + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > MAX_INPUT_BYTES) throw tooLarge();
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(fsProblem(err, file));
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Text: encoding and the characters go-yaml accepts

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** 1-based line and column of a character offset (a scan: for one-off messages). */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** Line numbers of many offsets in one text: the line starts, indexed once. */
class LineIndex {
  private readonly starts = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  line(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/** The offset of the first byte that makes `bytes` invalid UTF-8 (it is known to be invalid). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  // A prefix "has no error yet" when a streaming decoder accepts it (an unfinished sequence at
  // the end is not an error yet): monotone in the length, so binary search finds the first bad byte.
  const ok = (n: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  // The accepted prefix may end inside a sequence that the next byte breaks: the bad sequence
  // starts at its lead byte (0xe9 followed by `}`: report the 0xe9).
  for (let i = lo - 1; i >= Math.max(0, lo - 3); i--) {
    const b = bytes[i];
    if (b < 0x80) break;
    if (b >= 0xc0) {
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return lo - i < length ? i : lo;
    }
  }
  return lo;
}

/**
 * The file as text. kubectl's file reader honours a UTF-16 byte order mark and drops a UTF-8 one.
 * Invalid UTF-8 is an error here (kubectl's reader would substitute U+FFFD and apply the altered
 * text, which no preview should do silently).
 */
function decodeText(bytes: Buffer): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    try {
      return new TextDecoder(encoding, { fatal: true }).decode(bytes);
    } catch {
      throw new InputError(`not valid ${encoding.toUpperCase()} (the file starts with its byte order mark)`);
    }
  }
  if (!isUtf8(bytes)) {
    const offset = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, offset).filter((b) => b === 0x0a).length + 1;
    throw new InputError(`not valid UTF-8 (first bad byte 0x${bytes[offset].toString(16).padStart(2, '0')} at byte offset ${offset}, line ${line})`);
  }
  return utf8.decode(bytes); // drops a leading BOM
}

// go-yaml's reader rejects every character outside YAML's printable set anywhere in the stream,
// comments included: TAB, LF, CR, x20-x7E, NEL, xA0-xD7FF, xE000-xFFFD, astral planes.
const NOT_YAML_PRINTABLE = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

// ---------------------------------------------------------------------------------------------
// Documents: kubectl's splitter

interface Chunk {
  text: string;
  /** Offset of the chunk in the file text, for line numbers in messages. */
  offset: number;
}

// Go's strings.TrimSpace (unicode.IsSpace); JavaScript's trim() also strips U+FEFF.
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/**
 * Splits the text like apimachinery's YAMLReader (kubectl): a line starting with `---` ends the
 * document gathered so far; only blanks or a comment may follow it on that line (`--- {a: 1}` is
 * an error there). A separator with nothing gathered before it (a leading `---`, `---` twice)
 * begins the next document instead. Blank or comment-only documents read as null.
 */
function splitDocuments(text: string, from: number): Chunk[] {
  const chunks: Chunk[] = [];
  let start = from;
  let lineStart = from;
  while (lineStart < text.length) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl === -1 ? text.length : nl + 1;
    if (text.startsWith('---', lineStart)) {
      const rest = text.slice(lineStart + 3, lineEnd).replace(GO_SPACE, '');
      if (rest !== '' && !rest.startsWith('#')) {
        const { line } = lineColumn(text, lineStart);
        throw new InputError(`line ${line}: invalid document separator: kubectl allows only a comment after "---" on its line`);
      }
      // With nothing gathered yet, the separator line stays: it starts the document it opens.
      if (lineStart > start) {
        chunks.push({ text: text.slice(start, lineStart), offset: start });
        start = lineEnd;
      }
    }
    lineStart = lineEnd;
  }
  if (text.length > start) chunks.push({ text: text.slice(start), offset: start });
  return chunks;
}

// ---------------------------------------------------------------------------------------------
// Values: go-yaml v2 into interface{}, then sigs.k8s.io/yaml's conversion to JSON

class YamlError extends Error {
  constructor(
    message: string,
    readonly node?: Node | null,
  ) {
    super(message);
  }
}

const TAG = 'tag:yaml.org,2002:';
const STR = `${TAG}str`;
const BOOL = `${TAG}bool`;
const INT = `${TAG}int`;
const FLOAT = `${TAG}float`;
const NULL = `${TAG}null`;
const TIMESTAMP = `${TAG}timestamp`;
const BINARY = `${TAG}binary`;
const MERGE = `${TAG}merge`;
// Tags go-yaml resolves (and checks the value against); other tags leave the text a string.
const RESOLVABLE = new Set(['', STR, BOOL, INT, FLOAT, NULL, TIMESTAMP]);

/** A scalar as go-yaml types it: keys need the type (an int key and a string key differ). */
type GoScalar =
  | { kind: 'str'; v: string }
  | { kind: 'int' | 'uint'; v: bigint }
  | { kind: 'float'; v: number }
  | { kind: 'bool'; v: boolean }
  | { kind: 'null' };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

// The words go-yaml resolves by lookup, exactly (`yEs` is a string).
const WORDS = new Map<string, { tag: string; value: GoScalar }>();
for (const [tag, value, words] of [
  [BOOL, { kind: 'bool', v: true }, 'y Y yes Yes YES true True TRUE on On ON'],
  [BOOL, { kind: 'bool', v: false }, 'n N no No NO false False FALSE off Off OFF'],
  [NULL, { kind: 'null' }, '~ null Null NULL'],
  [FLOAT, { kind: 'float', v: NaN }, '.nan .NaN .NAN'],
  [FLOAT, { kind: 'float', v: Infinity }, '.inf .Inf .INF +.inf +.Inf +.INF'],
  [FLOAT, { kind: 'float', v: -Infinity }, '-.inf -.Inf -.INF'],
] as const) {
  for (const w of words.split(' ')) WORDS.set(w, { tag, value });
}
WORDS.set('', { tag: NULL, value: { kind: 'null' } });

// go-yaml picks the candidate types from the first byte: sign, digit, a lookup word, or '.'.
function hint(s: string): 'S' | 'D' | 'M' | '.' | undefined {
  if (s === '') return 'M';
  const c = s[0];
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return undefined;
}

/** strconv.ParseUint(s, 0, 64) without underscores: 0x, 0o, 0b prefixes and a leading 0 for octal. */
function goParseUnsigned(s: string): bigint | undefined {
  if (s === '') return undefined;
  let digits = s;
  let prefix = '';
  let valid = /^[0-9]+$/;
  if (s[0] === '0') {
    const p = s.length >= 3 ? s[1].toLowerCase() : '';
    if (p === 'x') [prefix, valid] = ['0x', /^[0-9a-fA-F]+$/];
    else if (p === 'o') [prefix, valid] = ['0o', /^[0-7]+$/];
    else if (p === 'b') [prefix, valid] = ['0b', /^[01]+$/];
    else [prefix, valid] = ['0o', /^[0-7]*$/];
    digits = s.slice(prefix === '0o' && p !== 'o' ? 1 : 2);
  }
  if (!valid.test(digits)) return undefined;
  const n = digits === '' ? 0n : BigInt(prefix + digits);
  return n <= UINT64_MAX ? n : undefined;
}

function goParseInt(s: string): bigint | undefined {
  const neg = s[0] === '-';
  const n = goParseUnsigned(s[0] === '-' || s[0] === '+' ? s.slice(1) : s);
  if (n === undefined) return undefined;
  const v = neg ? -n : n;
  return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
}

/** Go's underscoreOK: underscores only between digits (or after a base prefix). */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1].toLowerCase())) {
    i = 2;
    saw = '0';
    hex = s[1].toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
    } else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

// go-yaml's float syntax for sign- and digit-led scalars (checked after dropping underscores).
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

// The timestamp layouts go-yaml tries (time.Parse, short date fields). A plain scalar that parses
// as one stays the original string in interface{}; only an explicit !!timestamp tag needs the check.
const TIMESTAMP_LAYOUTS = [
  /^(\d{4})-(\d\d?)-(\d\d?)[Tt](\d\d?):(\d\d?):(\d\d?)(?:[.,]\d+)?(?:Z|[+-](\d\d):(\d\d))$/,
  /^(\d{4})-(\d\d?)-(\d\d?) (\d\d?):(\d\d?):(\d\d?)(?:[.,]\d+)?$/,
  /^(\d{4})-(\d\d?)-(\d\d?)$/,
];

function isGoTimestamp(s: string): boolean {
  for (const layout of TIMESTAMP_LAYOUTS) {
    const m = layout.exec(s);
    if (!m) continue;
    const [year, month, day, hour = 0, minute = 0, second = 0, zh = 0, zm = 0] = m.slice(1).map((x) => Number(x ?? 0));
    const daysIn = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysIn && hour < 24 && minute < 60 && second < 60 && zh <= 24 && zm <= 60) return true;
  }
  return false;
}

/** go-yaml's resolve(): the type a scalar's text has, and the tag that type carries. */
function resolveText(tag: string, s: string): { tag: string; value: GoScalar } {
  const h = hint(s);
  if (h && tag !== STR) {
    const word = WORDS.get(s);
    if (word) return word;
    if (h === '.') {
      // strconv.ParseFloat on the text as written (underscores allowed between digits).
      const t = s.replace(/_/g, '');
      if (underscoreOK(s) && /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(t) && Number.isFinite(Number(t))) return { tag: FLOAT, value: { kind: 'float', v: Number(t) } };
    } else if (h === 'S' || h === 'D') {
      if ((tag === '' || tag === TIMESTAMP) && isGoTimestamp(s)) return { tag: TIMESTAMP, value: { kind: 'str', v: s } };
      // Integers and floats after dropping every underscore (go-yaml reads `1_0` and `1__0` as 10).
      const plain = s.replace(/_/g, '');
      const i = goParseInt(plain);
      if (i !== undefined) return { tag: INT, value: { kind: 'int', v: i } };
      // No sign: strconv.ParseUint refuses one.
      const u = /^[0-9]/.test(plain) ? goParseUnsigned(plain) : undefined;
      if (u !== undefined) return { tag: INT, value: { kind: 'uint', v: u } };
      // Out of float64 range is a parse error in Go, and the text then stays a string.
      if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return { tag: FLOAT, value: { kind: 'float', v: Number(plain) } };
    }
  }
  return { tag: STR, value: { kind: 'str', v: s } };
}

const shortTag = (tag: string) => (tag.startsWith(TAG) ? `!!${tag.slice(TAG.length)}` : tag);

/** The bytes of a !!binary scalar as a Go string goes into JSON: each invalid byte becomes U+FFFD. */
function binaryText(s: string, node: Node): string {
  const b64 = s.replace(/[\r\n]/g, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) throw new YamlError('!!binary value contains invalid base64 data', node);
  const bytes = Buffer.from(b64, 'base64');
  if (isUtf8(bytes)) return utf8.decode(bytes);
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    // The shortest valid sequence at i is one character; none means one invalid byte (as Go's
    // utf8.DecodeRune, which encoding/json uses, reports it).
    let len = 1;
    while (len <= 4 && i + len <= bytes.length && !isUtf8(bytes.subarray(i, i + len))) len++;
    if (len <= 4 && i + len <= bytes.length) {
      out += utf8.decode(bytes.subarray(i, i + len));
      i += len;
    } else {
      out += '\ufffd';
      i++;
    }
  }
  return out;
}

/**
 * Double-quoted escapes YAML 1.2 added or allows but go-yaml refuses: `\/`, and \u or \U
 * escapes of surrogates or beyond U+10FFFF (the yaml library reports other bad escapes itself).
 */
function checkEscapes(node: Scalar): void {
  const raw = (node.srcToken as { source?: string } | undefined)?.source ?? '';
  for (const m of raw.matchAll(/\\(?:x[0-9a-fA-F]{2}|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([^]))/g)) {
    const code = m[1] ?? m[2];
    if (code !== undefined) {
      const n = parseInt(code, 16);
      if ((n >= 0xd800 && n <= 0xdfff) || n > 0x10ffff) throw new YamlError(`invalid Unicode character escape code \\${m[0][1]}${code}`, node);
    } else if (m[3] === '/') {
      throw new YamlError('unknown escape character \\/ (YAML 1.1 has no such escape: write / alone)', node);
    }
  }
}

/** A map as go-yaml builds it: keys are typed Go values, the last write of a key wins. */
class GoMap {
  readonly entries = new Map<string, { key: GoScalar; value: Decoded }>();
  private nans = 0;
  set(key: GoScalar, value: Decoded): void {
    this.entries.set(this.id(key), { key, value });
  }
  private id(k: GoScalar): string {
    switch (k.kind) {
      case 'null':
        return 'null';
      case 'float':
        // NaN is not equal to itself: every NaN key is a new Go map entry. -0 == 0.
        return Number.isNaN(k.v) ? `nan:${this.nans++}` : `float:${k.v === 0 ? 0 : k.v}`;
      default:
        return `${k.kind}:${String(k.v)}`;
    }
  }
}

type Decoded = string | number | boolean | null | Decoded[] | GoMap;

/** strconv.FormatFloat(f, 'g', -1, 32): how sigs.k8s.io/yaml names a float key. */
function goFloatKey(x: number): string {
  const f = Math.fround(x);
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // The shortest decimal that reads back as the same float32.
  let p = 1;
  while (p < 9 && Math.fround(Number(f.toPrecision(p))) !== f) p++;
  const [mantissa, e] = f.toExponential(p - 1).split('e');
  const exp = Number(e);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/[-.]/g, '');
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  return sign + (digits.length > exp + 1 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : digits.padEnd(exp + 1, '0'));
}

function describeKey(k: GoScalar): string {
  return k.kind === 'null' ? 'null' : k.kind === 'str' ? JSON.stringify(k.v) : `${k.kind} ${String(k.v)}`;
}

/** sigs.k8s.io/yaml's JSON key for a Go map key. */
function jsonKey(k: GoScalar): string {
  switch (k.kind) {
    case 'str':
      return k.v;
    case 'int':
      return k.v.toString();
    case 'bool':
      return String(k.v);
    case 'float':
      return goFloatKey(k.v);
    default:
      throw new YamlError(`unsupported map key ${describeKey(k)} (JSON keys are strings; quote it)`);
  }
}

/** encoding/json of the converted value: objects with string keys, no NaN or infinities. */
function toJson(v: Decoded): unknown {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new YamlError(`unsupported value ${Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf'}: JSON has no NaN or infinity`);
    return v;
  }
  if (Array.isArray(v)) return v.map(toJson);
  if (!(v instanceof GoMap)) return v;
  const out: Record<string, unknown> = {};
  const owner = new Map<string, GoScalar>();
  for (const { key, value } of v.entries.values()) {
    const k = jsonKey(key);
    const earlier = owner.get(k);
    // Two Go keys, one JSON key: sigs.k8s.io/yaml keeps whichever its map iteration meets last,
    // at random. Never guess.
    if (earlier) throw new YamlError(`keys ${describeKey(earlier)} and ${describeKey(key)} both become ${JSON.stringify(k)} in JSON; kubectl would keep one of them at random`);
    owner.set(k, key);
    // defineProperty: a "__proto__" key is data, not the object's prototype.
    Object.defineProperty(out, k, { value: toJson(value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

// go-yaml's bound on alias expansion ("billion laughs"): past 100 aliased nodes and 1000 nodes in
// all, the share of nodes reached through aliases may not exceed 99%, falling to 10% for large
// documents. The same rule makes us reject exactly what kubectl rejects.
function allowedAliasRatio(decodes: number): number {
  if (decodes <= 400_000) return 0.99;
  if (decodes >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodes - 400_000) / 3_600_000);
}

/** Turns one parsed document into the JSON value sigs.k8s.io/yaml would produce. */
class DocumentDecoder {
  private decodes = 0;
  private aliased = 0;
  private aliasDepth = 0;
  private readonly expanding = new Set<Alias>();
  private readonly targets = new Map<Alias, Node | undefined>();

  constructor(doc: Document.Parsed) {
    // An alias names the last anchor of that name before it (document order, a collection before
    // its items, as go-yaml registers them). Resolved once here: Alias.resolve walks the document
    // on every call.
    const latest = new Map<string, Node>();
    visit(doc, {
      Node: (_key, node) => {
        if (isAlias(node)) this.targets.set(node, latest.get(node.source));
        else if (node.anchor) latest.set(node.anchor, node);
      },
    });
  }

  decode(root: Node | null): unknown {
    if (root === null) return null;
    try {
      this.tick(root); // the document node
      return toJson(this.value(root));
    } catch (err) {
      if (err instanceof RangeError) throw new YamlError('nested too deeply', root);
      throw err;
    }
  }

  /** One go-yaml unmarshal() call: counts nodes and aliased nodes, refuses alias bombs. */
  private tick(node: Node | null): void {
    this.decodes++;
    if (this.aliasDepth > 0) this.aliased++;
    if (this.aliased > 100 && this.decodes > 1000 && this.aliased / this.decodes > allowedAliasRatio(this.decodes)) {
      throw new YamlError('document contains excessive aliasing (an alias bomb?)', node);
    }
  }

  private through<T>(alias: Alias, f: (target: Node) => T): T {
    const target = this.targets.get(alias);
    if (!target) throw new YamlError(`unknown anchor '${alias.source}' referenced`, alias);
    if (this.expanding.has(alias)) throw new YamlError(`anchor '${alias.source}' value contains itself`, alias);
    this.expanding.add(alias);
    this.aliasDepth++;
    try {
      return f(target);
    } finally {
      this.aliasDepth--;
      this.expanding.delete(alias);
    }
  }

  private value(node: Node | null): Decoded {
    this.tick(node);
    if (node === null) return null; // an absent value (`? key` alone) is an empty scalar
    if (isAlias(node)) return this.through(node, (t) => this.value(t));
    if (isScalar(node)) {
      const s = this.scalar(node);
      switch (s.kind) {
        case 'null':
          return null;
        case 'int':
        case 'uint':
          // Above 2^53 both sides lose the same precision: JSON.parse of Go's digits rounds alike.
          return Number(s.v);
        default:
          return s.v;
      }
    }
    if (isMap(node)) {
      const m = new GoMap();
      this.fill(node, m);
      return m;
    }
    if (isSeq(node)) return node.items.map((item) => this.value(item as Node | null));
    throw new YamlError('unexpected node', node);
  }

  private key(node: Node | null): GoScalar {
    this.tick(node);
    if (node === null) return { kind: 'null' };
    if (isAlias(node)) return this.through(node, (t) => this.key(t));
    if (isScalar(node)) return this.scalar(node);
    throw new YamlError('invalid map key: a mapping or sequence cannot be a key', node);
  }

  private scalar(node: Scalar): GoScalar {
    if (node.type === 'QUOTE_DOUBLE') checkEscapes(node);
    // `source` is the scalar's text after YAML's quoting and folding rules; with the failsafe
    // schema nothing else has been read into it.
    const text = node.source ?? '';
    const tag = node.tag ?? '';
    // Quoted and block scalars without a tag are strings; plain ones and tagged ones resolve.
    if (tag === '' && node.type !== 'PLAIN') return { kind: 'str', v: text };
    if (!RESOLVABLE.has(tag)) return { kind: 'str', v: tag === BINARY ? binaryText(text, node) : text };
    const r = resolveText(tag, text);
    if (tag === '' || tag === r.tag || tag === STR) return r.value;
    if (tag === FLOAT && r.value.kind === 'int') return { kind: 'float', v: Number(r.value.v) };
    throw new YamlError(`cannot decode ${shortTag(r.tag)} \`${text}\` as a ${shortTag(tag)}`, node);
  }

  private isMergeKey(node: Node | null): boolean {
    if (!node || !isScalar(node) || node.source !== '<<') return false;
    return (!node.tag && node.type === 'PLAIN') || node.tag === '!' || node.tag === MERGE;
  }

  /**
   * The pairs of `map` written into `into` in order, as go-yaml does: a later key overwrites an
   * earlier one, and `<<` writes the merged keys at its place (so keys before it are overwritten
   * by merged ones, keys after it win).
   */
  private fill(map: YAMLMap, into: GoMap): void {
    for (const pair of map.items) {
      const k = pair.key as Node | null;
      const v = pair.value as Node | null;
      if (this.isMergeKey(k)) {
        this.merge(v, into);
        continue;
      }
      const key = this.key(k);
      into.set(key, this.value(v));
    }
  }

  private merge(node: Node | null, into: GoMap): void {
    const wantMap = () => new YamlError('map merge requires map or sequence of maps as the value', node);
    const mergeOne = (n: Node) => {
      this.tick(n);
      if (isMap(n)) return this.fill(n, into);
      if (!isAlias(n)) throw wantMap();
      this.through(n, (t) => {
        if (!isMap(t)) throw wantMap();
        this.tick(t);
        this.fill(t, into);
      });
    };
    if (node && (isMap(node) || isAlias(node))) return mergeOne(node);
    if (!node || !isSeq(node)) throw wantMap();
    // Earlier maps in the list take precedence: written last.
    for (let i = node.items.length - 1; i >= 0; i--) {
      const item = node.items[i] as Node | null;
      if (!item || !(isMap(item) || isAlias(item))) throw wantMap();
      mergeOne(item);
    }
  }
}

/** A document as kubectl would send it, or why it cannot be read. */
export type ManifestDocument = { value: unknown; note?: string } | { error: string };

const GO_SPACE_THEN_BRACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\{/;

/** Where the JSON value starting at `pos` ends (its syntax is left to JSON.parse). */
function endOfJsonValue(text: string, pos: number): number {
  const c = text[pos];
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let i = pos; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') {
        for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      } else if (ch === '{' || ch === '[') {
        depth++;
      } else if ((ch === '}' || ch === ']') && --depth === 0) {
        return i + 1;
      }
    }
    return text.length;
  }
  if (c === '"') {
    for (let i = pos + 1; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === '"') return i + 1;
    }
    return text.length;
  }
  const m = /^[^\s{}[\],:"]+/.exec(text.slice(pos, pos + 1024));
  return pos + (m ? m[0].length : 1);
}

/**
 * apimachinery's YAMLOrJSONDecoder, which kubectl reads files with: a stream that starts with `{`
 * is read as a sequence of JSON values; if the first fails, the whole stream is YAML; if a later
 * one fails after exactly one value, the rest (from the next line) is YAML; after two or more it
 * is an error. JSON escapes such as `\/` that go-yaml refuses are fine in the JSON part.
 */
function readJsonStream(text: string): { documents: ManifestDocument[]; yamlFrom?: number } | undefined {
  if (!GO_SPACE_THEN_BRACE.test(text)) return undefined;
  const documents: ManifestDocument[] = [];
  let lastEnd = 0;
  for (let pos = 0; ; ) {
    while (pos < text.length && ' \t\r\n'.includes(text[pos])) pos++;
    if (pos >= text.length) return { documents };
    const end = endOfJsonValue(text, pos);
    let value: unknown;
    let outOfRange = false;
    try {
      value = JSON.parse(text.slice(pos, end), (_key, v: unknown) => {
        // 1e400: valid JSON syntax, which kubectl sends as written and the API server cannot read.
        if (typeof v === 'number' && !Number.isFinite(v)) outOfRange = true;
        return v;
      });
    } catch (err) {
      if (documents.length === 0) return undefined;
      const { line, column } = lineColumn(text, pos);
      const failed = { documents: [...documents, { error: `invalid JSON: ${(err as Error).message} (line ${line}, column ${column})` }] };
      if (documents.length > 1) return failed;
      // After one value the decoder switches to YAML for the rest, having dropped the blanks up to
      // and including a line break. It looks ahead 4 bytes at a time: with fewer left it gives up
      // and reports the JSON error instead.
      const bytesLeft = (p: number) => (text.length - p >= 4 ? 4 : Buffer.byteLength(text.slice(p)));
      let from = lastEnd;
      for (;;) {
        if (bytesLeft(from) < 4) return failed;
        const c = text[from];
        if (!/\s/.test(c) || c === '\ufeff') break;
        from++;
        if (c === '\n') break;
      }
      return { documents, yamlFrom: from };
    }
    documents.push(outOfRange ? { error: 'invalid JSON: a number is out of the float64 range' } : { value });
    pos = lastEnd = end;
  }
}

/**
 * Reads a file's bytes as `kubectl apply -f` does: JSON values, or documents split at `---` lines,
 * each read with go-yaml v2 (YAML 1.1) and converted to JSON by sigs.k8s.io/yaml. Throws for
 * problems with the file as a whole (encoding, characters YAML forbids, a malformed separator).
 */
export function readManifests(bytes: Buffer): ManifestDocument[] {
  const text = decodeText(bytes);
  const json = readJsonStream(text);
  if (!json) return readYaml(text, 0);
  return json.yamlFrom === undefined ? json.documents : [...json.documents, ...readYaml(text, json.yamlFrom)];
}

function readYaml(text: string, from: number): ManifestDocument[] {
  const where = (index: number) => {
    const { line, column } = lineColumn(text, from + index);
    return `line ${line}, column ${column}`;
  };
  const body = text.slice(from);
  const bad = NOT_YAML_PRINTABLE.exec(body);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new InputError(`${where(bad.index)}: control character U+${code} is not allowed in YAML`);
  }
  // YAML 1.1 line breaks that YAML 1.2 (the yaml library) reads as text. go-yaml turns NEL and a
  // lone CR into LF as it reads: so do we, within each document. LS and PS stay in the text but
  // also break lines there, with effects on folding no editor shows: refused.
  const separator = /[\u2028\u2029]/.exec(body);
  if (separator) {
    const [name, escape] = separator[0] === '\u2028' ? ['U+2028 LINE SEPARATOR', '\\L'] : ['U+2029 PARAGRAPH SEPARATOR', '\\P'];
    throw new InputError(`${where(separator.index)}: ${name} is a line break to kubectl's YAML reader (YAML 1.1) but not to most editors; use a plain line break, or ${escape} inside double quotes`);
  }
  const lines = new LineIndex(text);
  return splitDocuments(text, from).map((chunk): ManifestDocument => {
    const source = chunk.text.replace(/\r\n?|\u0085/g, '\n');
    const firstLine = lines.line(chunk.offset);
    const at = (offset: number | undefined) => {
      const { line, column } = lineColumn(source, offset ?? 0);
      return `line ${firstLine + line - 1}, column ${column}`;
    };
    // kubectl's splitter cuts a directive off from the `---` that must follow it: go-yaml then
    // finds no document start (a directive later in a document is refused too). An end marker
    // before any content is "no node content" to go-yaml.
    const directive = /^%/m.exec(source);
    if (directive) return { error: `invalid YAML: %YAML and %TAG directives cannot be used: kubectl splits them from their document (${at(directive.index)})` };
    const lead = /^(?:[ \t]*(?:#[^\n]*)?\n)*\.\.\.(?=[ \t\n]|$)/.exec(source);
    if (lead) return { error: `invalid YAML: a document end marker "..." before any content (${at(lead[0].length - 3)})` };
    // Failsafe schema: every scalar stays text and is typed by DocumentDecoder as go-yaml would.
    // No merge (done by the decoder), duplicate keys allowed (last wins, as in go-yaml).
    const docs = parseAllDocuments(source, {
      version: '1.1', schema: 'failsafe', merge: false, uniqueKeys: false, resolveKnownTags: false, prettyErrors: false,
      keepSourceTokens: true, // the raw text of double-quoted scalars, for checkEscapes
    });
    const list = Array.isArray(docs) ? docs : [];
    const first = list[0];
    if (!first) return { value: null };
    if (first.errors.length > 0) {
      const e = first.errors[0];
      return { error: `invalid YAML: ${e.message.split('\n')[0]} (${at(e.pos[0])})` };
    }
    let value: unknown;
    try {
      value = new DocumentDecoder(first).decode(first.contents);
    } catch (err) {
      if (!(err instanceof YamlError)) throw err;
      const offset = err.node?.range?.[0];
      return { error: `invalid YAML: ${err.message}${offset === undefined ? '' : ` (${at(offset)})`}` };
    }
    // go-yaml reads one document per chunk: what follows an explicit end marker (`...`) is dropped.
    const dropped = list.slice(1).some((d) => d.contents !== null || d.errors.length > 0);
    return dropped ? { value, note: 'content after the document end marker "..." is ignored (kubectl ignores it too)' } : { value };
  });
}

// ---------------------------------------------------------------------------------------------
// Objects

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Optimal string alignment distance (edits and adjacent swaps), for "did you mean". */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The kind we read that `kind` most likely misspells: same letters in another case, a plural, or a
 * couple of edits away (one for Namespace, two for the longer names, so that real kinds such as
 * PodSecurityPolicy, three edits from SecurityPolicy, are not taken for typos).
 */
export function suggestKind(kind: string): string | undefined {
  if (!kind || (INPUT_KINDS as readonly string[]).includes(kind)) return undefined;
  const lower = kind.toLowerCase();
  // Resource plurals (securitypolicies, namespaces) are a common slip too.
  const spellings = [lower, lower.replace(/ies$/, 'y'), lower.replace(/s$/, '')];
  let best: { kind: string; distance: number } | undefined;
  for (const known of INPUT_KINDS) {
    const distance = Math.min(...spellings.map((s) => editDistance(s, known.toLowerCase())));
    if (distance <= Math.max(1, Math.floor(known.length / 6)) && (!best || distance < best.distance)) best = { kind: known, distance };
  }
  return best?.kind;
}

function ignoring(kind: string, name: string): string {
  const suggestion = suggestKind(kind);
  const what = `${kind ? displayValue(kind) : 'object without kind'}${name ? ` "${displayValue(name)}"` : ''}`;
  return `ignoring ${what}${suggestion ? `: did you mean ${suggestion}?` : ''}`;
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'mapping' : typeof v;
}

export function readInputs(paths: string[], settingsFile?: string): Inputs {
  const out: Inputs = { policies: [], namespaces: [], exceptions: [], notes: [], errors: [] };
  const files: string[] = [];
  for (const p of paths) listFiles(p, true, new Set(), out, files);

  const visitFile = (file: string, onlySettings: boolean) => {
    const shown = displayValue(file);
    let documents: ManifestDocument[];
    try {
      documents = readManifests(readBounded(file));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      out.errors.push(`${shown}: ${err.message}`);
      return;
    }
    documents.forEach((doc, i) => {
      const where = `${shown}: document ${i + 1}`;
      if ('error' in doc) {
        out.errors.push(`${where}: ${doc.error}`);
        return;
      }
      if (doc.note) out.notes.push(`${where}: ${doc.note}`);
      const obj = doc.value;
      // kubectl skips empty documents (null).
      if (obj === null) return;
      const items = isObject(obj) && Array.isArray(obj.items) && typeof obj.kind === 'string' && obj.kind.endsWith('List') ? (obj.items as unknown[]) : [obj];
      for (const item of items) {
        if (!isObject(item)) {
          out.errors.push(`${where}: not a Kubernetes object (expected a mapping with apiVersion and kind)`);
          continue;
        }
        const kind = typeof item.kind === 'string' ? item.kind : '';
        const meta = isObject(item.metadata) ? item.metadata : {};
        const name = typeof meta.name === 'string' ? meta.name : '';
        if (kind === 'ModuleConfig') {
          if (name !== MODULE_CONFIG_NAME) {
            out.notes.push(`${where}: ignoring ModuleConfig "${displayValue(name)}" (only "${MODULE_CONFIG_NAME}" configures this module)`);
            continue;
          }
          if (out.settings) out.notes.push(`${where}: ModuleConfig ${MODULE_CONFIG_NAME} overrides the one in ${out.settings.origin}`);
          const spec = isObject(item.spec) ? item.spec : {};
          out.settings = { value: spec.settings ?? {}, origin: where };
        } else if (onlySettings && !kind) {
          // A bare settings mapping, as under ModuleConfig spec.settings.
          out.settings = { value: item, origin: where, bare: true };
        } else if (onlySettings) {
          out.notes.push(`${where}: ${ignoring(kind, '')} in the settings file`);
        } else if (kind === 'OperationPolicy' || kind === 'SecurityPolicy') {
          out.policies.push({ ...(item as Omit<PolicyInput, 'kind'>), kind, origin: where });
        } else if (kind === 'SecurityPolicyException') {
          out.exceptions.push({ value: item, origin: where });
        } else if (kind === 'Namespace') {
          if (!name) {
            out.errors.push(`${where}: Namespace without metadata.name`);
            continue;
          }
          const labels: Record<string, string> = {};
          let valid = true;
          if (meta.labels !== undefined && meta.labels !== null && !isObject(meta.labels)) {
            out.errors.push(`${where}: Namespace "${displayValue(name)}": metadata.labels: must be a mapping (got ${typeOf(meta.labels)})`);
            valid = false;
          }
          for (const [k, v] of Object.entries(isObject(meta.labels) ? meta.labels : {})) {
            // The API server refuses a label value that is not a string; YAML 1.1 makes `on`, `yes`,
            // `y` or `010` booleans and numbers. Turning them into text would preview a label
            // kubectl cannot create.
            if (typeof v === 'string') {
              labels[k] = v;
            } else {
              const shownValue = typeof v === 'number' || typeof v === 'boolean' ? `${typeof v} ${v}` : typeOf(v);
              out.errors.push(`${where}: Namespace "${displayValue(name)}": metadata.labels["${displayValue(k)}"]: must be a string (got ${shownValue}); quote it`);
              valid = false;
            }
          }
          if (!valid) continue;
          labels['kubernetes.io/metadata.name'] = name;
          out.namespaces.push({ name, labels });
        } else {
          out.notes.push(`${where}: ${ignoring(kind, name)}`);
        }
      }
    });
  };
  for (const f of files) visitFile(f, false);
  if (settingsFile) visitFile(settingsFile, true);
  return out;
}

/** Every Kubernetes object in the files (lists unwrapped), read as `readInputs` reads them. */
export function readObjectFiles(paths: string[]): { objects: { value: Record<string, unknown>; origin: string }[]; errors: string[]; notes: string[] } {
  const sink: Inputs = { policies: [], namespaces: [], exceptions: [], notes: [], errors: [] };
  const files: string[] = [];
  for (const p of paths) listFiles(p, true, new Set(), sink, files);
  const objects: { value: Record<string, unknown>; origin: string }[] = [];
  for (const file of files) {
    const shown = displayValue(file);
    let documents: ManifestDocument[];
    try {
      documents = readManifests(readBounded(file));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      sink.errors.push(`${shown}: ${err.message}`);
      continue;
    }
    documents.forEach((doc, i) => {
      const where = `${shown}: document ${i + 1}`;
      if ('error' in doc) {
        sink.errors.push(`${where}: ${doc.error}`);
        return;
      }
      const obj = doc.value;
      if (obj === null) return;
      const items = isObject(obj) && Array.isArray(obj.items) && typeof obj.kind === 'string' && obj.kind.endsWith('List') ? (obj.items as unknown[]) : [obj];
      for (const item of items) {
        if (isObject(item)) objects.push({ value: item, origin: where });
        else sink.errors.push(`${where}: not a Kubernetes object (expected a mapping with apiVersion and kind)`);
      }
    });
  }
  return { objects, errors: sink.errors, notes: sink.notes };
}
