/** `wfm simulate --help` names the roster.csv columns `wfm plan` and the API write, break_kinds included. */
import { Command } from 'commander';
import { register } from '../../src/cli/commands/simulate';

test('when asked for help, then wfm simulate describes --roster with its optional trailing break_kinds column', () => {
  const program = new Command();
  register(program);
  const simulate = program.commands.find((c) => c.name() === 'simulate')!;
  const roster = simulate.options.find((o) => o.long === '--roster')!;
  expect(roster.description).toMatch(/^roster CSV: agent_id,date,start,end,skill_group,breaks\[,break_kinds\]/);
  expect(simulate.helpInformation()).toContain('break_kinds');
});
