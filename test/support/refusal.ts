import { isWfmError, type WfmError } from '../../src/errors/wfm-error';

/** The rejection of `p`, which must be a WfmError. */
export async function refusal(p: Promise<unknown>): Promise<WfmError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isWfmError(err)) throw new Error(`expected a WfmError, got ${err === undefined ? 'success' : String(err)}`);
  return err;
}
