/**
 * The `msrp` command: subcommands dispatched by name. Exit codes (README):
 * 0 success, 1 unexpected failure, 2 bad usage, 3 malformed MSRP input,
 * 4 input file cannot be read.
 */
import { parseArgs } from 'node:util';
import { decodeStream, openInput } from './decode.ts';

/** Documented exit codes. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, MALFORMED: 3, NO_INPUT: 4 } as const;

const USAGE = `usage: msrp <command> [options]

commands:
  decode [FILE|-] [--json]   print each MSRP chunk of a raw byte capture (stdin with - or no FILE)
  help                       this text
`;

class UsageError extends Error {}

async function decode(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.positionals.length > 1) throw new UsageError('decode takes one FILE (or - for stdin)');
  const input = openInput(parsed.positionals[0]);
  try {
    const result = await decodeStream(input, process.stdout, parsed.values.json === true, process.stderr);
    if (!parsed.values.json) process.stderr.write(`${result.chunks} chunks, ${result.errors} errors\n`);
    return result.errors > 0 ? EXIT.MALFORMED : EXIT.OK;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`msrp decode: cannot read ${parsed.positionals[0]}: ${err.code ?? err.message}\n`);
    return EXIT.NO_INPUT;
  }
}

/** Runs the command line `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'decode':
        return await decode(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? EXIT.USAGE : EXIT.OK;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`msrp: ${e.message}\n${USAGE}`);
      return EXIT.USAGE;
    }
    process.stderr.write(`msrp: ${(e as Error).stack ?? e}\n`);
    return EXIT.FAILURE;
  }
}

// A closed pipe (`msrp decode x | head`) ends the output quietly, as Unix tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.OK);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
