/**
 * POST /staffing: one interval's staffing question answered at once (no job): a target → the agents
 * required, `agents` → how that many do. The contract checks the types; the ranges and their messages
 * are the core's, the same `wfm staffing` gives (422 naming /body/serviceLevel/fraction…).
 */
import { Router } from 'express';
import { answerStaffingQuestion, staffingDocument, type StaffingQuestion } from '../../staffing/question';
import { withBodyPointers } from '../problem';

/**
 * The most agents one answer may come to, or be asked about. The sums run over the agents, in the
 * request: 10,000 agents of Erlang A take up to ~0.2 s of this process (a million, 25 s). The CLI goes
 * to a million.
 */
export const STAFFING_MAX_AGENTS = 10_000;

export function staffingRoutes(): Router {
  const r = Router();
  r.post('/staffing', (req, res) => {
    const question = req.body as StaffingQuestion;
    let answer;
    try {
      answer = answerStaffingQuestion(question, { maxAgents: STAFFING_MAX_AGENTS });
    } catch (err) {
      throw withBodyPointers(err);
    }
    res.json(staffingDocument(answer));
  });
  return r;
}
