/**
 * The core's validation names the fields of its own input ("callsPerInterval", "arrivals.shocks[0].factor",
 * "/period/days"); a CLI user typed flags ("--volume", "--shock", "--days"). Commands run the core through
 * `withFlagNames` so every problem they print points at what the user can change.
 */
import { WfmError, isWfmError } from '../errors/wfm-error';

/** The problem's new `where` and, optionally, words that say which of a repeated flag's values it was. */
export type FlagOf = (where: string) => { flag: string; prefix?: string } | string | undefined;

export function renameToFlags(err: unknown, flagOf: FlagOf): unknown {
  if (!isWfmError(err)) return err;
  let message = err.message;
  const details = err.details.map((d) => {
    const mapped = flagOf(d.where);
    if (mapped === undefined) return d;
    const { flag, prefix } = typeof mapped === 'string' ? { flag: mapped, prefix: undefined } : mapped;
    // summaries such as "invalid simulation: replications: must be …" repeat the first field's name
    message = message.split(`${d.where}:`).join(`${flag}:`);
    return { ...d, where: flag, message: prefix ? `${prefix}: ${d.message}` : d.message };
  });
  return new WfmError(err.code, message, { details, status: err.status, cause: err });
}

/** Runs `fn`; a WfmError it throws comes out with its fields renamed to the flags they came from. */
export function withFlagNames<T>(flagOf: FlagOf, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw renameToFlags(err, flagOf);
  }
}
