/** Skill groups and agents: thin routes over src/services/configuration.ts (roles: x-roles in openapi.yaml). */
import { Router } from 'express';
import type { Agent, AgentKind, SkillGroup } from '../../domain/types';
import { maskPhone } from '../../domain/validate';
import { invalid } from '../../errors/wfm-error';
import { deleteAgent, deleteSkillGroup, listAgents, putAgents, putSkillGroups, type ForecastRefresh, type GroupModels } from '../../services/configuration';
import type { Store } from '../../store/store';
import { notFound } from '../problem';

function idMustMatch(pathId: string, bodyId: string): void {
  if (pathId !== bodyId) throw invalid('the id in the body must match the path', [{ where: '/body/id', message: `expected "${pathId}", got "${bodyId}"` }]);
}

/** Phone numbers are personal data: only admins see them in clear. */
function forRole(agent: Agent, role: string | undefined): Agent {
  return role === 'admin' || !agent.phone ? agent : { ...agent, phone: maskPhone(agent.phone) };
}

/**
 * `rostering`: the service clock (is an agent's rostered work or claim over?) and the claim release cut-off a refusal names;
 * `refreshForecast`: queues the recomputation of a group's stored forecast (after a change of what it reads).
 */
export function configurationRoutes(store: Store, models: GroupModels, rostering: { now: () => number; claimReleaseCutoffHours: number }, refreshForecast: ForecastRefresh): Router {
  const r = Router();

  r.get('/skill-groups', async (_req, res) => {
    res.json(await store.skillGroups.list());
  });
  r.post('/skill-groups', async (req, res) => {
    res.json(await putSkillGroups(store, req.body as SkillGroup[], '/body', refreshForecast));
  });
  r.get('/skill-groups/:skillGroupId', async (req, res) => {
    const group = await store.skillGroups.get(req.params.skillGroupId);
    if (!group) throw notFound(`skill group ${req.params.skillGroupId}`);
    res.json(group);
  });
  r.put('/skill-groups/:skillGroupId', async (req, res) => {
    const group = req.body as SkillGroup;
    idMustMatch(req.params.skillGroupId, group.id);
    await putSkillGroups(store, [group], () => '/body', refreshForecast);
    res.json(group);
  });
  r.delete('/skill-groups/:skillGroupId', async (req, res) => {
    await deleteSkillGroup(store, models, req.params.skillGroupId);
    res.status(204).end();
  });

  r.get('/agents', async (req, res) => {
    const agents = await listAgents(store, { kind: req.query.kind as AgentKind | undefined, skillGroup: req.query.skillGroup as string | undefined });
    res.json(agents.map((a) => forRole(a, req.role)));
  });
  r.post('/agents', async (req, res) => {
    res.json({ stored: await putAgents(store, req.body as Agent[], '/body', { nowMs: rostering.now(), claimReleaseCutoffHours: rostering.claimReleaseCutoffHours }) });
  });
  r.get('/agents/:agentId', async (req, res) => {
    const agent = await store.agents.get(req.params.agentId);
    if (!agent) throw notFound(`agent ${req.params.agentId}`);
    res.json(forRole(agent, req.role));
  });
  r.put('/agents/:agentId', async (req, res) => {
    const agent = req.body as Agent;
    idMustMatch(req.params.agentId, agent.id);
    await putAgents(store, [agent], () => '/body', { nowMs: rostering.now(), claimReleaseCutoffHours: rostering.claimReleaseCutoffHours });
    res.json(agent);
  });
  r.delete('/agents/:agentId', async (req, res) => {
    if (!(await deleteAgent(store, req.params.agentId, rostering.now(), rostering.claimReleaseCutoffHours))) throw notFound(`agent ${req.params.agentId}`);
    res.status(204).end();
  });
  return r;
}
