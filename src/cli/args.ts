/**
 * Command-line parsing for the `msrp` subcommands, on node:util parseArgs
 * (strict: an unknown flag is an error), with the value checks every
 * subcommand shares: sizes, whole numbers, positional counts. Every problem
 * is a UsageError (exit 2) with one sentence saying what is wrong.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './exit.ts';

/** The options table parseArgs takes. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** Flags every subcommand takes. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  trace: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionTable;

/** Flags that would put a secret on the command line: refused with a sentence saying where secrets go. */
const SECRET_FLAGS = /^--?(password|passwd|pass|secret)(=|$)/i;

/** The values parseArgs gives for a table: strings and booleans, absent when not given. */
export type Values = Record<string, string | boolean | undefined>;

/**
 * Parses `argv` against `options`; `positionals` bounds how many plain
 * arguments are allowed and names them for the message.
 */
export function parseCommand(argv: string[], options: OptionTable, positionals: { max: number; min?: number; what?: string } = { max: 0 }):
  { values: Values; positionals: string[] } {
  const secret = argv.find((a) => SECRET_FLAGS.test(a));
  if (secret !== undefined) {
    throw new UsageError(`${secret.split('=')[0]} is refused: a password on the command line shows in the process list and the shell history; ` +
      'set MSRP_PASSWORD (or MSRP_RELAY_USERS / --users FILE for a relay), or let msrp ask on the terminal');
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const n = parsed.positionals.length;
  const what = positionals.what ?? 'argument';
  if (n > positionals.max) throw new UsageError(`unexpected ${what} ${JSON.stringify(parsed.positionals[positionals.max])}`);
  if (n < (positionals.min ?? 0)) throw new UsageError(`missing ${what}`);
  return { values: parsed.values as Values, positionals: parsed.positionals };
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

/** A size such as `4096`, `64kB`, `100MB`, `1GiB` (decimal and binary units); `flag` names it in errors. */
export function parseSize(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m === null ? undefined : SIZE_UNITS[m[2].toLowerCase()];
  if (m === null || unit === undefined) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a size (such as 4096, 64kB, 100MB, 1GiB)`);
  const n = Math.round(Number(m[1]) * unit);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} ${text} is too large`);
  return n;
}

/** A whole number in [min, max]; `flag` names it in errors. */
export function parseInteger(text: string, flag: string, min: number, max: number): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a whole number from ${min} to ${max}`);
  return n;
}

/** A string flag's value, or undefined. */
export function stringFlag(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
