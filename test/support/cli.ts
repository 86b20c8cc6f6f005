/** Runs the `wfm` CLI in-process in tests, capturing what it writes. */
import { Command } from 'commander';
import { runCli } from '../../src/cli/main';

function capture(stream: NodeJS.WriteStream): { text: () => string; restore: () => void } {
  let text = '';
  const spy = jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  return { text: () => text, restore: () => spy.mockRestore() };
}

/** The whole CLI, as `wfm <args>` would run: exit code, stdout and stderr. */
export async function runWfm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture(process.stdout);
  const err = capture(process.stderr);
  try {
    const code = await runCli(args);
    return { code, stdout: out.text(), stderr: err.text() };
  } finally {
    out.restore();
    err.restore();
  }
}

/** One command registered alone (no other command loaded); returns stdout and the error it threw, if any. */
export async function runCommand(register: (program: Command) => void, name: string, args: string[]): Promise<{ stdout: string; error?: unknown }> {
  const program = new Command('wfm').exitOverride();
  register(program);
  const out = capture(process.stdout);
  try {
    await program.parseAsync([name, ...args], { from: 'user' });
    return { stdout: out.text() };
  } catch (error) {
    return { stdout: out.text(), error };
  } finally {
    out.restore();
  }
}
