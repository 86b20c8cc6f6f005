/**
 * The `wfm` command: runs the core in-process, without Redis (the embedded default).
 * Every file in ./commands registers one sub-command on the program (`register(program)`), so a new
 * command is one new file. Errors: a WfmError prints its message and details and exits 1 (2 for usage).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { isWfmError } from '../errors/wfm-error';
import { terminalSafe } from './output-text';

export function buildProgram(): Command {
  const program = new Command('wfm')
    .description('Contact-center workforce forecasting and shift scheduling (embedded, no Redis needed)')
    .showHelpAfterError()
    .exitOverride();
  const dir = path.join(__dirname, 'commands');
  for (const file of readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dir, file)) as { register?: (p: Command) => void };
    mod.register?.(program);
  }
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (isWfmError(err)) {
      // messages quote the user's files (a cell, a label, a column name): escaped, so none can drive the terminal
      process.stderr.write(`wfm: ${terminalSafe(err.message)}\n`);
      for (const d of err.details.slice(0, 50)) process.stderr.write(`  ${terminalSafe(d.where)}: ${terminalSafe(d.message)}\n`);
      if (err.details.length > 50) process.stderr.write(`  … and ${err.details.length - 50} more\n`);
      return 1;
    }
    process.stderr.write(`wfm: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

// `tsx src/cli/main.ts …` (npm run wfm); bin/wfm.js calls runCli itself
if (require.main === module) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
