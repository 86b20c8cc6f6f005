/**
 * Listings read a page at a time (rosters, trigger decisions and callouts): a page, and where the next
 * one starts as an opaque cursor the client passes back unchanged (see http/paging.ts for the Link header).
 */
import { invalid } from '../errors/wfm-error';

/** One page of a listing: `next` is the cursor of the page after it, when more entries follow. */
export interface Page<T> {
  items: T[];
  next?: string;
}

/** Where an entry stands in a listing: its instant (epoch ms) and what orders entries of one instant (an id). */
export interface ListPosition {
  at: number;
  key: string;
}

/** The cursor of a listing: the position of the last entry returned (opaque to clients: base64url JSON). */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.key])).toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2 && Number.isSafeInteger(parsed[0]) && typeof parsed[1] === 'string') return { at: parsed[0] as number, key: parsed[1] };
  throw invalid('`cursor` is not a cursor this listing gave', [{ where: '/query/cursor', message: 'must be the `next` cursor of an earlier page (see the Link header), unchanged' }]);
}
