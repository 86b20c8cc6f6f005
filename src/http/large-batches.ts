/**
 * Large batches of agents or skill groups are held to the contract item by item before the contract
 * validator sees them. The validator reports every error (allErrors), and ajv's cost grows with the
 * square of the errors it gathers: 20,000 empty objects (260 KB) held the event loop for 27 s, 40,000 for
 * 100 s. Item by item, stopping once a page of problems is listed (the answer lists 100 at most anyway),
 * a bad batch is refused in milliseconds; a good one goes on to the validator, which is linear without errors.
 */
import type { RequestHandler } from 'express';
import { error as validatorError } from 'express-openapi-validator';
import { schemaValidator, type SchemaValidator } from '../domain/schemas';
import type { OpenApiDocument } from './openapi';

/** Arrays longer than this are checked item by item first (shorter ones cost the validator little). */
export const ITEM_BY_ITEM_FROM = 200;
/** Problems listed before checking stops (with the line saying so, the 100 an answer lists at most). */
const ENOUGH_PROBLEMS = 99;

export function largeBatchesItemByItem(doc: OpenApiDocument): RequestHandler {
  const components = doc.components.schemas;
  let validators: Record<string, SchemaValidator> | undefined;
  return (req, _res, next) => {
    if (req.method !== 'POST' || !Array.isArray(req.body) || req.body.length <= ITEM_BY_ITEM_FROM) return next();
    // compiled on the first large batch, not at start (most processes never see one)
    validators ??= { '/agents': schemaValidator(components, 'Agent'), '/skill-groups': schemaValidator(components, 'SkillGroup') };
    const validate = validators[req.path.toLowerCase().replace(/\/$/, '')];
    if (!validate) return next();
    const items = req.body as unknown[];
    const problems = [];
    let checked = 0;
    while (checked < items.length && problems.length <= ENOUGH_PROBLEMS) problems.push(...validate(items[checked], `/body/${checked++}`));
    if (!problems.length) return next();
    const listed = problems.slice(0, ENOUGH_PROBLEMS).map((p) => ({ path: p.where, message: p.message }));
    if (problems.length > ENOUGH_PROBLEMS) listed.push({ path: '/body', message: `… and more: checking stopped at item ${checked - 1} of ${items.length} after the first ${ENOUGH_PROBLEMS} problems` });
    next(new validatorError.BadRequest({ path: req.path, message: 'the request does not match the API contract', errors: listed }));
  };
}
