/**
 * The `jobnet` command line (R-OPS-7). Builds the command tree and owns the user-error / bug
 * boundary: exit 0 ok, 1 refused or failed, 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { CommandFailure, UsageError, exitCodes } from './cli-errors.js';
import { printableLines } from './terminal-text.js';
import { registerCalendarCommands } from './commands/calendar-commands.js';
import { registerControllerCommands } from './commands/controller-commands.js';
import { registerEventCommands } from './commands/event-commands.js';
import { registerExportCommands } from './commands/export-commands.js';
import { registerHistoryCommands } from './commands/history-commands.js';
import { registerJobnetCommands } from './commands/jobnet-commands.js';
import { registerPlanCommand } from './commands/plan-command.js';
import { registerResourceCommands } from './commands/resource-commands.js';
import { registerRunCommands } from './commands/run-commands.js';
import { registerSchemaCommand } from './commands/schema-command.js';
import { registerStartCommand } from './commands/start-command.js';
import { registerTokenCommands } from './commands/token-commands.js';
import { registerUpCommand } from './commands/up-command.js';
import { registerValidateCommand } from './commands/validate-command.js';
import { registerWorkerCommand } from './commands/worker-command.js';

export function buildProgram(): Command {
  const program = new Command('jobnet')
    .description('GitOps job scheduler: definitions in git, runs in Temporal')
    .showHelpAfterError()
    .exitOverride()
    // Lets a command group take the same options as its subcommands (`jobnet history` and `history show`).
    .enablePositionalOptions();
  registerValidateCommand(program);
  registerPlanCommand(program);
  registerSchemaCommand(program);
  registerStartCommand(program);
  registerCalendarCommands(program);
  registerRunCommands(program);
  registerJobnetCommands(program);
  registerEventCommands(program);
  registerHistoryCommands(program);
  registerResourceCommands(program);
  registerExportCommands(program);
  registerWorkerCommand(program);
  registerControllerCommands(program);
  registerUpCommand(program);
  registerTokenCommands(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successful exits; everything else commander rejects is usage.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`jobnet: ${printableLines(error.message).join('\n')}\n`);
      return exitCodes.usage;
    }
    if (error instanceof CommandFailure) {
      process.stderr.write(`jobnet: ${printableLines(error.message).join('\n')}\n`);
      return exitCodes.failed;
    }
    process.stderr.write(
      `jobnet: internal error — please report it with the command you ran.\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return exitCodes.failed;
  }
}

process.exitCode = await main(process.argv.slice(2));
