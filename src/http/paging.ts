/**
 * Listings that page (rosters, trigger decisions and callouts) answer a page as the body — an array, as
 * before cursors — and, when more follow, the next page's address in a Link header (RFC 8288): the same
 * query with `cursor` set.
 */
import type { Request, Response } from 'express';

/** `pinned`: parameters the next page must carry though the request left them out (a range's `to`, so the pages do not shift as records arrive). */
export function sendPage<T>(req: Request, res: Response, page: { items: T[]; next?: string }, pinned: Record<string, string> = {}): void {
  if (page.next !== undefined) {
    const query = new URLSearchParams();
    // every parameter the page was asked with (the contract has already read limit as a number, firedOnly as a boolean)
    for (const [name, value] of Object.entries(req.query)) if (name !== 'cursor' && value !== undefined && typeof value !== 'object') query.set(name, String(value));
    for (const [name, value] of Object.entries(pinned)) if (!query.has(name)) query.set(name, value);
    query.set('cursor', page.next);
    res.setHeader('Link', `<${req.baseUrl}${req.path}?${query.toString()}>; rel="next"`);
  }
  res.json(page.items);
}
