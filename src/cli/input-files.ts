/**
 * Reading the CLI's input files (an adapter): skill groups and agents are validated with the same
 * OpenAPI schemas and semantic checks as API requests; history goes through the same ingestion.
 * Every problem names the file and the place in it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Agent, IntervalVolume, SkillGroup } from '../domain/types';
import { repeatedSpecialDays, type SpecialDay } from '../forecast/calendar';
import type { ShiftTemplate } from '../roster/types';
import { schemaValidator } from '../domain/schemas';
import { validateAgents, validateSkillGroups } from '../domain/validate';
import { invalid, WfmError } from '../errors/wfm-error';
import { ingestHistoryOrThrow, skillGroupsById, type SkillGroupSummary } from '../history';
import { loadOpenApi } from '../http/openapi';

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new WfmError('not-found', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(`${file} is not valid JSON`, [{ where: file, message: (err as Error).message }]);
  }
}

/** `what`: the items as the error names them (default "<schema> objects"). */
function readArrayOf(file: string, schemaName: string, what = `${schemaName} objects`): unknown[] {
  const value = readJson(file);
  if (!Array.isArray(value)) throw invalid(`${file} must be a JSON array of ${what}`, [{ where: `${file}#`, message: 'not an array' }]);
  const validate = schemaValidator(loadOpenApi().components.schemas, schemaName);
  const problems = value.flatMap((item, i) => validate(item, `${file}#/${i}`));
  if (problems.length) throw invalid(`${problems.length} problem(s) in ${file}`, problems);
  return value;
}

export function loadSkillGroups(file: string): SkillGroup[] {
  const groups = readArrayOf(file, 'SkillGroup') as SkillGroup[];
  const problems = validateSkillGroups(groups, new Map(), `${file}#`);
  if (problems.length) throw invalid(`${problems.length} problem(s) in ${file}`, problems);
  return groups;
}

export function loadAgents(file: string, skillGroups: SkillGroup[]): Agent[] {
  const agents = readArrayOf(file, 'Agent') as Agent[];
  const problems = validateAgents(agents, skillGroupsById(skillGroups), `${file}#`);
  if (problems.length) throw invalid(`${problems.length} problem(s) in ${file}`, problems);
  return agents;
}

/**
 * A --templates file: a non-empty JSON array of ShiftTemplate objects (the API's schema). An empty list is
 * refused, naming the file, rather than left to fall back on the defaults the user meant to replace.
 */
export function loadTemplates(file: string): ShiftTemplate[] {
  const templates = readArrayOf(file, 'ShiftTemplate', 'shift templates') as ShiftTemplate[];
  if (templates.length === 0) throw invalid(`${file} names no shift template: give at least one (or leave --templates out for the defaults)`, [{ where: `${file}#`, message: 'an empty array: at least one shift template' }]);
  return templates;
}

/**
 * Special days (a JSON array of {date,label,uplift?}), validated like PUT …/special-days: a date declared
 * twice is refused, naming both entries — which uplift the planner meant is not for the CLI to guess.
 */
export function loadSpecialDays(file: string): SpecialDay[] {
  const days = readArrayOf(file, 'SpecialDay') as SpecialDay[];
  const problems = repeatedSpecialDays(days, `${file}#`);
  if (problems.length) throw invalid(`${problems.length} problem(s) in ${file}`, problems);
  return days;
}

/** A history file (CSV, or JSON by extension), validated and aggregated exactly like an upload. */
export function loadHistory(
  file: string,
  skillGroups: SkillGroup[],
  granularityMinutes?: number,
): { intervals: IntervalVolume[]; summary: SkillGroupSummary[] } {
  const text = readText(file);
  const batch = path.extname(file).toLowerCase() === '.json' ? { json: text } : { csv: text };
  return ingestHistoryOrThrow(batch, skillGroupsById(skillGroups), { granularityMinutes });
}
