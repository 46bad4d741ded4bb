/** What the command prints (src/cli/output.ts): peer text escaped, JSON events, failures. */
import { Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EXIT } from '../../src/cli/exit.ts';
import { Output, printable, quoted } from '../../src/cli/output.ts';

/** A writable collecting text, a terminal when `tty`. */
function sink(tty = false): Writable & { text: string; isTTY?: boolean } {
  const w = new Writable({ write(chunk, _enc, done) { w.text += String(chunk); done(); } }) as Writable & { text: string; isTTY?: boolean };
  w.text = '';
  if (tty) w.isTTY = true;
  return w;
}

const escape = suite('cli/output escaping peer text');

escape('control and bidi characters become \\u{..}; tab and newline stay', () => {
  assert.is(printable('a\u001b[2Jb'), 'a\\u{1b}[2Jb');
  assert.is(printable('x\u202eexe.txt'), 'x\\u{202e}exe.txt');
  assert.is(printable('\u0007\u0085\u2066'), '\\u{7}\\u{85}\\u{2066}');
  assert.is(printable('tab\tand\nnewline, äöü ✓'), 'tab\tand\nnewline, äöü ✓');
  assert.is(quoted('say "hi" \\ \n'), '"say \\"hi\\" \\\\ \n"');
  assert.is(quoted('../x'), '"../x"');
});

const modes = suite('cli/output text and --json');

modes('text mode: events as lines on stdout, warnings and failures on stderr', () => {
  const [stdout, stderr] = [sink(), sink()];
  const out = new Output({ json: false, command: 'msrp recv', stdout, stderr });
  out.event('finished', { size: 1 }, 'received');
  out.event('progress', { transferred: 1 });
  out.say('paste the line');
  out.warn('careful');
  out.fail({ exitCode: EXIT.REFUSED, message: 'declined "x"', code: null });
  assert.is(stdout.text, 'received\npaste the line\n');
  assert.is(stderr.text, 'msrp recv: warning: careful\nmsrp recv: declined "x"\n');
});

modes('--json: only events on stdout, each a JSON line with event and time; the failure sentence also on stderr', () => {
  const [stdout, stderr] = [sink(), sink()];
  const out = new Output({ json: true, command: 'msrp send', stdout, stderr });
  out.event('finished', { size: 1 }, 'sent');
  out.say('a prompt');
  out.warn('careful');
  out.fail({ exitCode: EXIT.AUTH, message: 'refused our credentials (401)', code: 'MSRP_ERR_RELAY_CREDENTIALS' });
  const events = stdout.text.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(events.map((e) => e.event), ['finished', 'warning', 'error']);
  assert.ok(events.every((e) => !Number.isNaN(Date.parse(e.time))));
  assert.is(events[0].size, 1);
  assert.equal([events[2].exitCode, events[2].code], [6, 'MSRP_ERR_RELAY_CREDENTIALS']);
  assert.is(stderr.text, 'a prompt\nmsrp send: refused our credentials (401)\n');
  assert.is(out.progress('x', 10), null, 'no progress display with --json');
});

modes('the progress display is a bar on a terminal, plain lines elsewhere', () => {
  const tty = sink(true);
  new Output({ json: false, command: 'msrp send', stdout: sink(), stderr: tty }).progress('sending', 10)?.update(10);
  assert.match(tty.text, /^\rsending  \[#+\]  100%/);
  const pipe = sink();
  new Output({ json: false, command: 'msrp send', stdout: sink(), stderr: pipe }).progress('sending', 10)?.update(10);
  assert.match(pipe.text, /^sending  100%  10 B of 10 B/);
});

escape.run();
modes.run();
