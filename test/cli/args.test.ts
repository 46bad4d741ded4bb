/** The flag parsing every subcommand shares (src/cli/args.ts). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { COMMON_OPTIONS, parseCommand, parseInteger, parseSize, stringFlag } from '../../src/cli/args.ts';
import { UsageError } from '../../src/cli/exit.ts';

/** The UsageError message `fn` throws. */
function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.instance(err, UsageError);
    assert.is((err as UsageError).exitCode, 2);
    return (err as Error).message;
  }
  return assert.unreachable('expected a UsageError') as never;
}

const parse = suite('cli/args parseCommand');

parse('flags, positionals and their bounds', () => {
  const table = { ...COMMON_OPTIONS, name: { type: 'string' } } as const;
  const r = parseCommand(['f.bin', '--json', '--name', 'x'], table, { max: 1, min: 1, what: 'FILE' });
  assert.equal(r.positionals, ['f.bin']);
  assert.is(r.values.json, true);
  assert.is(stringFlag(r.values, 'name'), 'x');
  assert.is(stringFlag(r.values, 'json'), undefined);
  assert.match(usageMessage(() => parseCommand([], table, { max: 1, min: 1, what: 'FILE' })), 'missing FILE');
  assert.match(usageMessage(() => parseCommand(['a', 'b'], table, { max: 1, what: 'FILE' })), 'unexpected FILE "b"');
  assert.match(usageMessage(() => parseCommand(['--nope'], table)), "Unknown option '--nope'");
  assert.match(usageMessage(() => parseCommand(['--name'], table)), "Option '--name <value>' argument missing");
});

parse('a password in any flag spelling is refused without repeating it', () => {
  for (const flag of ['--password', '--password=hunter2', '-pass', '--Secret=x', '--passwd']) {
    const message = usageMessage(() => parseCommand([flag, 'hunter2'], COMMON_OPTIONS, { max: 1 }));
    assert.match(message, /is refused: a password on the command line shows in the process list/);
    assert.not.match(message, 'hunter2');
  }
});

const values = suite('cli/args sizes and numbers');

values('sizes in decimal and binary units', () => {
  assert.is(parseSize('4096', '--size'), 4096);
  assert.is(parseSize('64kB', '--size'), 64_000);
  assert.is(parseSize('100MB', '--size'), 100_000_000);
  assert.is(parseSize('1.5 GB', '--size'), 1_500_000_000);
  assert.is(parseSize('1MiB', '--size'), 1 << 20);
  assert.is(parseSize('2gib', '--size'), 2 * 1024 ** 3);
  assert.match(usageMessage(() => parseSize('lots', '--size')), '--size "lots" is not a size');
  assert.match(usageMessage(() => parseSize('10 parsecs', '--size')), 'is not a size');
  assert.match(usageMessage(() => parseSize('-1', '--size')), 'is not a size');
});

values('whole numbers within bounds', () => {
  assert.is(parseInteger('2855', '--port', 0, 65535), 2855);
  assert.is(parseInteger('0', '--port', 0, 65535), 0);
  for (const bad of ['65536', '-1', '1.5', 'x', '']) {
    assert.match(usageMessage(() => parseInteger(bad, '--port', 0, 65535)), 'is not a whole number from 0 to 65535');
  }
});

parse.run();
values.run();
