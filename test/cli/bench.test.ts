/**
 * `msrp bench`: the bench:* scripts of a source checkout are listed and
 * chosen by name; without a bench/ folder (an installed package) it says
 * where the benchmarks are and exits 4.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bench, benchScripts, PACKAGE_ROOT } from '../../src/cli/bench.ts';
import { CliError } from '../../src/cli/exit.ts';
import { Output } from '../../src/cli/output.ts';
import { msrpRun, tempDir } from './helpers.ts';

/** An Output writing into strings. */
function capture(json = false): { out: Output; text: () => string } {
  let text = '';
  const sink = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } });
  return { out: new Output({ json, command: 'msrp bench', stdout: sink, stderr: sink }), text: () => text };
}

const scripts = suite('msrp bench');

scripts('this checkout has bench scripts; --list names them', async () => {
  const found = benchScripts(PACKAGE_ROOT);
  assert.ok(found !== null && found.has('parse') && found.has('transfer'));
  const r = await msrpRun(['bench', '--list']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^parse +npm run bench:parse/m);
});

scripts('an unknown benchmark name is bad usage (2)', async () => {
  const r = await msrpRun(['bench', 'nosuch']);
  assert.is(r.code, 2);
  assert.match(r.err, /no benchmark "nosuch": there are .*parse/);
});

scripts('without a bench/ folder it says the benchmarks need a source checkout (exit 4)', async () => {
  const dir = await tempDir();
  try {
    await writeFile(join(dir.path, 'package.json'), JSON.stringify({ scripts: { 'bench:parse': 'tsx bench/parser.bench.ts' } }));
    assert.is(benchScripts(dir.path), null);
    const { out } = capture();
    try {
      await bench([], out, dir.path);
      assert.unreachable('bench should fail');
    } catch (err) {
      assert.instance(err, CliError);
      assert.is((err as CliError).exitCode, 4);
      assert.match((err as Error).message, /not part of this installation: they run from a source checkout/);
    }
    await mkdir(join(dir.path, 'bench'));
    assert.equal([...(benchScripts(dir.path) ?? new Map()).keys()], ['parse']);
  } finally {
    await dir.remove();
  }
});

scripts('runs the chosen script through npm and reports its end', async () => {
  const dir = await tempDir();
  try {
    await mkdir(join(dir.path, 'bench'));
    await writeFile(join(dir.path, 'package.json'), JSON.stringify({
      scripts: { 'bench:ok': 'node -e "console.log(42)"', 'bench:bad': 'node -e "process.exit(3)"' },
    }));
    const { out, text } = capture(true);
    assert.is(await bench(['ok'], out, dir.path), 0);
    const ended = text().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((e) => e.event === 'bench-end');
    assert.equal([ended.name, ended.exitCode], ['ok', 0]);
    try {
      await bench(['bad'], out, dir.path);
      assert.unreachable('a failing benchmark fails the command');
    } catch (err) {
      assert.match((err as Error).message, /npm run bench:bad failed with exit code 3/);
    }
  } finally {
    await dir.remove();
  }
});

scripts.run();
