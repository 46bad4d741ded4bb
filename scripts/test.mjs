#!/usr/bin/env node
// Runs every *.test.ts (or *.fuzz.ts with --long / under fuzz/) below a folder with uvu,
// TypeScript loaded through tsx, in one child process so its output can be counted.
// Prints a closing "N passed, N failed" line that CI reads.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const long = args.includes('--long');
const dirs = args.filter((a) => !a.startsWith('--'));
const pattern = process.env.TEST_PATTERN ? new RegExp(process.env.TEST_PATTERN) : null;

function walk(dir, out) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      // heavy tests run only when their folder is asked for by name
      if (name === 'heavy' && !dirs.some((d) => d.replace(/\/$/, '').endsWith('heavy'))) continue;
      walk(p, out);
    } else if (/\.(test|fuzz)\.ts$/.test(name) && (!pattern || pattern.test(p))) {
      out.push({ name: p, file: resolve(p) });
    }
  }
  return out;
}

const suites = dirs.flatMap((d) => walk(d, []));
if (suites.length === 0) {
  if (args.includes('--allow-empty')) {
    console.log(`no test files under ${dirs.join(', ')}: nothing to run`);
    process.exit(0);
  }
  console.error(`no test files under ${dirs.join(', ')}`);
  process.exit(1);
}
const env = { ...process.env };
if (long) env.MSRP_FUZZ_LONG = '1';
const runner = `
import { run } from 'uvu/run';
await run(${JSON.stringify(suites)}, { bail: false });
`;
const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', runner], {
  env, stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const failed = Math.max(0, total - passed - skipped) + (code !== 0 && total === passed ? 1 : 0);
  console.log(`\ntests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
  process.exit(code === 0 && failed === 0 && total > 0 ? 0 : 1);
});
