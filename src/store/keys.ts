/** Every Redis key of one deployment starts with its prefix (tests use a fresh prefix each). */
export class Keys {
  constructor(readonly prefix: string) {}
  skillGroups = () => `${this.prefix}:skill-groups`;
  /**
   * skill group id → its incarnation: a random id set when the group is created and removed with it, so
   * a training can tell its group from one deleted and re-created with the same id (not part of the API's group)
   */
  skillGroupIncarnations = () => `${this.prefix}:skill-group-incarnations`;
  agents = () => `${this.prefix}:agents`;
  /**
   * agent id → its incarnation: a random id set when the agent is created and removed with it, so a claim
   * token issued to an agent deleted since does not act for a new agent given the same id (not part of the API's agent)
   */
  agentIncarnations = () => `${this.prefix}:agent-incarnations`;
  /**
   * agent id → the version of the agent's calendar feed address (absent: 0); a reset increments it, and the
   * addresses signed with an older version stop working. Erased with the agent.
   */
  agentFeedVersions = () => `${this.prefix}:agent-feed-versions`;
  /** places taken by requests about to add a job to `queue`: backpressure counts them with the waiting jobs */
  backpressure = (queue: string) => `${this.prefix}:backpressure:${queue}`;
  /** one hash per skill group and UTC month: field = interval start in epoch minutes */
  historyMonth = (skillGroupId: string, yyyymm: string) => `${this.prefix}:history:{${skillGroupId}}:${yyyymm}`;
  /** sorted set of the months that hold history for a skill group (score = yyyymm) */
  historyMonths = (skillGroupId: string) => `${this.prefix}:history:{${skillGroupId}}:months`;
  /** the stored two-week forecast of a skill group: field = interval start in epoch minutes */
  forecast = (skillGroupId: string) => `${this.prefix}:forecast:{${skillGroupId}}:two-week`;
  forecastMeta = (skillGroupId: string) => `${this.prefix}:forecast:{${skillGroupId}}:two-week:meta`;
  specialDays = (skillGroupId: string) => `${this.prefix}:special-days:{${skillGroupId}}`;
  /** realtime events of one skill group and UTC day: field = epoch minute */
  realtimeDay = (skillGroupId: string, utcDate: string) => `${this.prefix}:realtime:{${skillGroupId}}:${utcDate}`;
  /**
   * sorted set of the UTC days (member yyyy-mm-dd, score = the day's start in epoch ms) a skill group has
   * realtime day keys for, written with them: what deleting the group reads to name them (beside, not
   * under, realtime:{id}:, where every key but the signal names is a day's hash)
   */
  realtimeDays = (skillGroupId: string) => `${this.prefix}:realtime-days:{${skillGroupId}}`;
  /** sorted set of the leading-signal names a skill group's client posts (score = last epoch minute seen) */
  realtimeSignalNames = (skillGroupId: string) => `${this.prefix}:realtime:{${skillGroupId}}:signal-names`;
  /**
   * Rosters, their slots and claims: all under the one hash tag `{rosters}`, so the publish and claim
   * scripts (which read several rosters and agents) stay within one cluster slot.
   */
  rosterBase = () => `${this.prefix}:{rosters}:`;
  roster = (rosterId: string, part: string) => `${this.rosterBase()}${rosterId}:${part}`;
  rosterIndex = () => `${this.rosterBase()}index`;
  publishedRosters = () => `${this.rosterBase()}published`;
  agentClaims = (agentId: string) => `${this.rosterBase()}agent-claims:${agentId}`;
  /** surge trigger: policy and state per skill group (hash field = skill group id) */
  triggerPolicies = () => `${this.prefix}:trigger:policies`;
  triggerStates = () => `${this.prefix}:trigger:states`;
  /** decision log of a skill group: every decision (short retention) and the fired ones (long retention); score = minute */
  triggerDecisions = (skillGroupId: string) => `${this.prefix}:trigger:{${skillGroupId}}:decisions`;
  triggerFiredDecisions = (skillGroupId: string) => `${this.prefix}:trigger:{${skillGroupId}}:fired`;
  /** callout records by id (the id hashes wave and agent, so it doubles as the one-callout-per-agent-and-wave guard) */
  triggerCallouts = () => `${this.prefix}:trigger:callouts`;
  /** a skill group's callouts within retention, and the active ones the tick reads; score = requested at */
  triggerGroupCallouts = (skillGroupId: string) => `${this.prefix}:trigger:{${skillGroupId}}:callouts`;
  triggerActiveCallouts = (skillGroupId: string) => `${this.prefix}:trigger:{${skillGroupId}}:active`;
  /** answers of callouts no longer active, summed (accepted / refused, per group and per agent) */
  triggerResponses = (skillGroupId: string) => `${this.prefix}:trigger:{${skillGroupId}}:responses`;
  triggerLastCalled = () => `${this.prefix}:trigger:last-called`;
  triggerDeadLetters = () => `${this.prefix}:trigger:dead-letters`;
  /** held while one agent's acceptance is checked against their other callouts and written */
  triggerAnswerLock = (agentId: string) => `${this.prefix}:trigger:answer-lock:${agentId}`;
  /** one client's Idempotency-Key (both hashed) and the answer its first request got */
  idempotency = (clientHash: string, keyHash: string) => `${this.prefix}:idempotency:${clientHash}:${keyHash}`;
}
