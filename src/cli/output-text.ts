/**
 * Text from the user's files on its way out of the CLI: into a terminal (notes and errors on stderr) and
 * into CSV files that planners open in a spreadsheet. A special day's label or a history cell is data, and
 * must neither drive the terminal (colours, a cursor move, a fake "wfm:" line) nor become a formula.
 */
import { csvCell } from '../history/format';

/**
 * C0 controls (line breaks included), DEL, C1 controls (U+009B is a CSI on its own in some terminals) and
 * the bidirectional overrides and isolates that reorder what a line shows.
 */
const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `text` with every character that can act on a terminal written as its \uXXXX escape: one line, inert. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, escaped);
}

/** `text` in double quotes as JSON writes a string (quotes, backslashes and controls escaped), inert in a terminal. */
export function quotedForTerminal(text: string): string {
  return terminalSafe(JSON.stringify(text));
}

/**
 * A free-text CSV cell (a skill group's name as typed, never a number or a timestamp): text that a
 * spreadsheet would read as a formula (starting with = + - @, or a tab or carriage return before one) is
 * prefixed with an apostrophe, which spreadsheets show as text; then the cell is quoted where it holds a
 * comma, quote or line break (csvCell, as every CSV export quotes).
 */
export function csvTextCell(value: string): string {
  return csvCell(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}
