/**
 * The `vidata` command line. Each command lives in its own module, which registers itself on the
 * program; this file only assembles them and turns errors into an exit status.
 */
import { Command } from 'commander';
import { isVidataError } from '../errors.ts';
import { registerCommands } from './commands.ts';

const program = new Command()
  .name('vidata')
  .description('Personalized video: render templates, run the API server, manage projects.')
  .showHelpAfterError();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (isVidataError(error)) {
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
  } else {
    process.stderr.write(
      `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exitCode = 1;
}
