/** Functions run in a worker thread by thread-runner.test.ts: each fails the way a core function can. */
import { readFileSync } from 'node:fs';
import { WfmError, invalid } from '../../src/errors/wfm-error';

export function readMissingFile(input: { file: string }): string {
  return readFileSync(input.file, 'utf8'); // a Node error with code ENOENT
}

export function refuseInput(): never {
  throw invalid('bad rows', [{ where: 'row 3', message: 'volume is negative', row: 3 }]);
}

export function refuseWithOwnStatus(): never {
  throw new WfmError('validation', 'too big to judge', { status: 413, isCatastrophic: true });
}

export function throwTypeError(): never {
  throw new TypeError('x is not a function');
}
