#!/usr/bin/env node
// Runs every *.test.ts (and, for `npm run fuzz`, *.fuzz.ts) below the given folders with uvu, TypeScript loaded
// through tsx: each file in a child process of its own (isolation, and files
// that mostly wait on sockets and timers overlap), a few at a time. Output is
// printed file by file as each finishes; a closing "N passed, N failed" line
// is what CI reads. Options: --long (fuzz properties run long), --allow-empty,
// --jobs N (default 4, or MSRP_TEST_JOBS); TEST_PATTERN=regex picks files.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const long = args.includes('--long');
const jobsAt = args.indexOf('--jobs');
const jobs = Number(jobsAt >= 0 ? args[jobsAt + 1] : process.env.MSRP_TEST_JOBS ?? 4);
const dirs = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--jobs');
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
      out.push(p);
    }
  }
  return out;
}

const files = dirs.flatMap((d) => walk(d, []));
if (files.length === 0) {
  if (args.includes('--allow-empty')) {
    console.log(`no test files under ${dirs.join(', ')}: nothing to run`);
    process.exit(0);
  }
  console.error(`no test files under ${dirs.join(', ')}`);
  process.exit(1);
}
const env = { ...process.env, FORCE_COLOR: '0' };
if (long) env.MSRP_FUZZ_LONG = '1';

/** Runs one file; resolves to its counts. */
function runFile(file) {
  const started = Date.now();
  const runner = `import { run } from 'uvu/run';\nawait run([${JSON.stringify({ name: file, file: resolve(file) })}], { bail: false });`;
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', runner], {
      env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code, signal) => {
      const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0);
      // a file that crashed or exited non-zero without a counted failure still fails
      let failed = Math.max(0, total - passed - skipped);
      if ((code !== 0 || total === 0) && failed === 0) failed = 1;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const body = out.replace(/\n\s*Total:[\s\S]*$/, '').trimEnd();
      process.stdout.write(`\n${file} (${seconds} s${signal ? `, ${signal}` : ''})\n${body}\n`);
      done({ file, passed, failed, skipped, seconds: Number(seconds) });
    });
  });
}

const queue = [...files];
const results = [];
await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, files.length)) }, async () => {
  while (queue.length > 0) results.push(await runFile(queue.shift()));
}));
const sum = (k) => results.reduce((n, r) => n + r[k], 0);
const slowest = [...results].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
console.log(`\nslowest: ${slowest.map((r) => `${r.file} ${r.seconds} s`).join(', ')}`);
const failedFiles = results.filter((r) => r.failed > 0).map((r) => r.file);
if (failedFiles.length) console.log(`failed in: ${failedFiles.join(', ')}`);
const skipped = sum('skipped');
console.log(`\ntests: ${sum('passed')} passed, ${sum('failed')} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(sum('failed') === 0 ? 0 : 1);
