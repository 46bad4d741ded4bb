/** Lines, Ctrl-C and the wait it interrupts (src/cli/input.ts). */
import { PassThrough } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CliError } from '../../src/cli/exit.ts';
import { Interrupt, LineReader, orInterrupt } from '../../src/cli/input.ts';

const lines = suite('cli/input LineReader');

lines('lines in order, whether read before or after they come; null at the end', async () => {
  const input = new PassThrough();
  const reader = new LineReader(input);
  const first = reader.next();
  input.write('one\r\ntwo\nthr');
  assert.is(await first, 'one');
  input.write('ee\n');
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(await reader.next(), 'two');
  assert.is(await reader.next(), 'three');
  const last = reader.next();
  input.end('four');
  assert.is(await last, 'four', 'a last line without a newline counts');
  assert.is(await reader.next(), null);
  assert.is(await reader.next(), null);
});

const interrupt = suite('cli/input Interrupt and orInterrupt');

interrupt('the work\'s result when no signal comes', async () => {
  const i = new Interrupt();
  try {
    let cleaned = false;
    assert.is(await orInterrupt(Promise.resolve(7), i, async () => { cleaned = true; }, 'x'), 7);
    const failed = await orInterrupt(Promise.reject(new Error('boom')), i, async () => {}, 'x').then(() => null, (e: Error) => e);
    assert.is(failed?.message, 'boom');
    assert.is(cleaned, false);
    assert.is(i.fired, false);
  } finally {
    i.dispose();
  }
});

interrupt('SIGINT runs the clean-up and gives exit 130, even when the clean-up makes the work fail', async () => {
  const listeners = process.listenerCount('SIGINT');
  const i = new Interrupt();
  try {
    let fail!: (e: Error) => void;
    const work = new Promise<number>((_, reject) => { fail = reject; });
    const steps: string[] = [];
    const waiting = orInterrupt(work, i, async () => {
      steps.push('cleanup');
      fail(new Error('the session closed')); // what ending a stream does to a transfer in flight
      await new Promise((resolve) => setImmediate(resolve));
      steps.push('cleaned');
    }, 'interrupted: the partial file is removed');
    process.emit('SIGINT', 'SIGINT');
    assert.ok(i.fired);
    try {
      await waiting;
      assert.unreachable('interrupted work must reject');
    } catch (err) {
      assert.instance(err, CliError);
      assert.is((err as CliError).exitCode, 130);
      assert.is((err as Error).message, 'interrupted: the partial file is removed');
    }
    assert.equal(steps, ['cleanup', 'cleaned'], 'the exit waits for the clean-up');
    assert.is(await i.signalled, 'SIGINT');
  } finally {
    i.dispose();
  }
  assert.is(process.listenerCount('SIGINT'), listeners, 'dispose() removes its listeners');
});

lines.run();
interrupt.run();
