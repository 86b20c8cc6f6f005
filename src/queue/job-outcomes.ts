/**
 * How job outcomes are labelled in the metrics: every label takes a small, fixed set of values (a reason
 * sentence or a skill group id as a label would make a new time series of each).
 */
import type { DecisionReason } from '../trigger/types';

/** What is to blame for a callout message given up on: what an operator alerts on is `gateway`. */
export type DeadLetterCause = 'gateway' | 'agent' | 'configuration' | 'expired';

/** The deployment's own settings: no gateway configured, or the gateway moved (WEBHOOK_URL to change). */
const CONFIGURATION = /no SMS webhook configured|moved permanently/i;
/** The message's time was over before the gateway took it: the answer window, the accepted shift. */
const EXPIRED = /answer window (closed|were left)|accepted shift was over/i;
/** The agent's side: deleted, no phone, opted out, no longer a cloud agent, answered meanwhile, the callout closed. */
const AGENT_SIDE = /^(release message: )?agent \S+ (no longer exists|has no phone number|is no longer a cloud agent|opted out|was deleted)|answered \((accepted|declined)\) while a retry waited|the callout is \w+: no message sent/i;

/**
 * The cause of a dead letter from its reason (src/services/trigger.ts and src/callout/deliver.ts word
 * them): anything not named as the agent's, the configuration's or the clock's is the gateway's (an HTTP
 * error, a timeout, a refused connection, a 429 beyond what a callout can wait).
 */
export function deadLetterCause(reason: string | undefined): DeadLetterCause {
  const r = reason ?? '';
  if (CONFIGURATION.test(r)) return 'configuration';
  if (EXPIRED.test(r)) return 'expired';
  if (AGENT_SIDE.test(r)) return 'agent';
  return 'gateway';
}

const DECISION_REASONS = new Set<string>([
  'mode-off',
  'quiet-hours',
  'no-gap',
  'breach-unconfirmed',
  'cooldown',
  'hourly-cap',
  'covered-by-pending',
  'fired',
  'wave-ended',
  'released',
  'no-eligible-agents',
  'skipped-unreadable-input',
  'skipped-decision-failed',
  'feed-stale',
] satisfies DecisionReason[]);

/** A decision's reason as a label: one of DecisionReason, or `other` for one this build does not know. */
export function decisionReasonLabel(reason: string): string {
  return DECISION_REASONS.has(reason) ? reason : 'other';
}
