/**
 * What a string in a JSON body may hold: well-formed Unicode without control characters.
 *
 * - A lone surrogate ("a\ud800b", or a name cut at 200 UTF-16 units in the middle of an emoji) parses and
 *   is stored as JSON.stringify writes it, "\ud800"; Redis's Lua cjson refuses that escape, and every
 *   script that decodes the stored document (deleting any skill group, claims, history) answered 500
 *   from then on.
 * - C0 control characters (U+0000–U+001F, tab and line breaks included) and U+007F: names and labels
 *   are written into SMS texts and pages, where "a\u0000b\r\nSTOP …" is another line of the message.
 *   No field of a JSON request body carries more than one line (names, labels, ids, zones, dates: see
 *   openapi.yaml), so none takes a tab or a newline either. Text bodies (CSV) are not JSON and not
 *   checked here.
 */

/** The first lone surrogate or control character (with the u flag, a surrogate pair is one code point). */
const FORBIDDEN = /[\p{Cs}\u0000-\u001f\u007f]/u;

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why this text may not be taken, naming the character and its position (UTF-16 units, 0-based); undefined when it may. */
export function textFault(text: string): string | undefined {
  const match = FORBIDDEN.exec(text);
  if (!match) return undefined;
  const code = match[0].charCodeAt(0);
  return code >= 0xd800 && code <= 0xdfff
    ? `is not well-formed Unicode: a lone surrogate ${hex(code)} at position ${match.index} (half of a character, e.g. an emoji cut in two); send whole characters`
    : `holds the control character ${hex(code)} at position ${match.index}: text here is one line of printable characters (no tabs, line breaks or NUL)`;
}
