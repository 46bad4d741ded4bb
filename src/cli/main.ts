/**
 * The `msrp` command: subcommands dispatched by name. Every failure prints
 * one sentence and exits with a documented code (exit.ts; the table is in
 * README.md, section CLI). The subcommands use the public API of
 * src/index.ts, as any application would.
 */
import { bench } from './bench.ts';
import { chat } from './chat.ts';
import { decodeStream, openInput } from './decode.ts';
import { demo } from './demo.ts';
import { CliError, EXIT, failureOf, UsageError, type ExitCode } from './exit.ts';
import { Output } from './output.ts';
import { parseCommand } from './args.ts';
import { relay } from './relay.ts';
import { recv, send } from './transfer.ts';

export { EXIT } from './exit.ts';

const USAGE = `usage: msrp <command> [options]

commands:
  relay [--host NAME] [--port N] [--listen ADDRESS] [--tls-cert FILE --tls-key FILE] [--users FILE] [--insecure-tcp]
                             run an MSRP relay (RFC 4976); users from --users FILE or MSRP_RELAY_USERS
  send FILE [--name NAME] [--type TYPE]
                             offer a file; prints an SDP line for the receiver, reads its answer
  recv [--dir DIR] [--yes] [--keep-partial]
                             take the file a sender offers: paste its line, answer with another
  chat [--answer] [--me URI] [--peer URI]
                             chat: lines typed are sent, messages received are printed
  demo [--size SIZE]         a relay, two endpoints, chat and a 100 MB file through it, on localhost
  bench [NAME...]            run the benchmarks (a source checkout only)
  decode [FILE|-] [--json]   print each MSRP chunk of a raw byte capture (stdin with - or no FILE)
  help                       this text

send, recv and chat: --relay msrps://HOST[:PORT] --user USER [--relay-fingerprint FP | --relay-ca FILE]
  [--max-chunk OCTETS] (the password comes from MSRP_PASSWORD or is asked), or directly:
  [--host ADDRESS] [--insecure-tcp]; --timeout SECONDS to wait for the peer (default 600)
every command: --json (one JSON event per line), --trace (the MSRP traffic on stderr)
exit codes: 0 ok, 1 unexpected, 2 usage, 3 malformed input, 4 bad path, 5 unreachable,
  6 authentication, 7 refused, 8 transfer failed, 9 disk full, 130 interrupted
`;

async function decode(argv: string[]): Promise<ExitCode> {
  const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' } }, { max: 1, what: 'FILE (decode takes one FILE, or - for stdin)' });
  const input = openInput(positionals[0]);
  try {
    const result = await decodeStream(input, process.stdout, values.json === true, process.stderr);
    if (!values.json) process.stderr.write(`${result.chunks} chunks, ${result.errors} errors\n`);
    return result.errors > 0 ? EXIT.MALFORMED : EXIT.OK;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CliError(EXIT.BAD_PATH, `cannot read ${positionals[0]}: ${err.code ?? err.message}`);
  }
}

type Command = (argv: string[], out: Output) => Promise<ExitCode>;

const COMMANDS: Record<string, Command> = { relay, send, recv, chat, demo, bench };

/** Runs the command line `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<ExitCode> {
  const [command, ...rest] = argv;
  const out = new Output({ json: rest.includes('--json'), command: command === undefined ? 'msrp' : `msrp ${command}` });
  try {
    if (command === 'decode') return await decode(rest);
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(USAGE);
      return command === undefined ? EXIT.USAGE : EXIT.OK;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (run === undefined) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(USAGE);
      return EXIT.OK;
    }
    return await run(rest, out);
  } catch (e) {
    const failure = failureOf(e);
    out.fail(failure);
    if (e instanceof UsageError) process.stderr.write(`run \`msrp help\` for the commands and their flags\n`);
    return failure.exitCode;
  }
}

// A closed pipe (`msrp decode x | head`) ends the output quietly, as Unix tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.OK);
  throw e;
});
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Sockets and timers are released on every path; should one be left behind, the exit code still stands.
setTimeout(() => process.exit(code), 2000).unref();
