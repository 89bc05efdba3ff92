// Escaping for user-controlled text in messages (names, kinds, label values, file paths, whole
// message lines). Input files are untrusted: a policy named "x\n::error::..." must not forge a
// CI annotation line, and "\u001b[2J" must not repaint the reader's terminal. Printable text,
// including non-ASCII letters and emoji, is kept as is so that ordinary names read unchanged.
//
// Escaped: C0 controls, DEL and C1 controls (Cc), format characters (Cf: bidi overrides and
// isolates, zero-width characters, the BOM, soft hyphen, tag characters), line and paragraph
// separators (Zl, Zp: U+2028/2029), lone surrogates (Cs) and noncharacters (U+FFFE, U+FFFF, ...).
// The forms are JSON's: \n \r \t \b \f, else \uXXXX (a pair of them for astral characters).
// `"` and `\` are left alone on purpose: messages already JSON-quote some values, and escaping
// the backslash again would turn an escaped `\n` into `\\n`; neither can forge a line or move the
// cursor. Escaped output is printable ASCII, so displayValue(displayValue(s)) === displayValue(s):
// applying it to a whole line that already holds escaped parts changes nothing.

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Noncharacter_Code_Point}]/gu;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function escape(c: string): string {
  const short = SHORT[c];
  if (short) return short;
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** `s` with every non-printable character escaped; printable text is returned unchanged. */
export function displayValue(s: string): string {
  return s.replace(NON_PRINTABLE, escape);
}
