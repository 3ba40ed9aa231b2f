/** C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidi controls. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from outside (node names, model names, error messages a node reports) made safe for one
 * log line: control characters are written as `\uXXXX` escapes, so nobody can forge log lines
 * or rewrite a terminal, and the text is cut to `max` characters.
 */
export function logText(value: unknown, max = 200): string {
  const s = typeof value === 'string' ? value : String(value);
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return cut.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
