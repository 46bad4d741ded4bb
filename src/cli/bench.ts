/**
 * `msrp bench [NAME...]`: runs the benchmark scripts of a source checkout
 * (the package.json scripts named `bench:NAME`, whose files live in bench/),
 * one after the other, each through npm so it runs exactly as
 * `npm run bench:NAME` does. An installed package has no bench/ folder:
 * then it says where the benchmarks are instead. `--list` names them.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMON_OPTIONS, parseCommand } from './args.ts';
import { CliError, EXIT, UsageError, type ExitCode } from './exit.ts';
import type { Output } from './output.ts';

/** The package root: two levels above this file, in src/cli/ and in dist/cli/ alike. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The `bench:*` scripts of the package at `root` (name without the prefix, command), or null when it has no bench/ folder. */
export function benchScripts(root: string): Map<string, string> | null {
  if (!existsSync(join(root, 'bench'))) return null;
  let scripts: Record<string, string>;
  try {
    scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts ?? {};
  } catch {
    return null;
  }
  const out = new Map<string, string>();
  for (const [name, command] of Object.entries(scripts)) if (name.startsWith('bench:')) out.set(name.slice('bench:'.length), command);
  return out.size === 0 ? null : out;
}

/** Runs `npm run bench:NAME` in `root`; resolves to its exit code. */
function runScript(root: string, name: string, out: Output): Promise<number> {
  return new Promise((resolve) => {
    // with --json the benchmark's own output stays out of the event stream
    const child = spawn('npm', ['run', '--silent', `bench:${name}`], {
      cwd: root, stdio: ['ignore', out.json ? 'pipe' : 'inherit', 'inherit'],
    });
    child.stdout?.pipe(out.stderr, { end: false });
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal !== null ? 128 : 1)));
  });
}

/** `msrp bench`: see the module comment. */
export async function bench(argv: string[], out: Output, root = PACKAGE_ROOT): Promise<ExitCode> {
  const { values, positionals } = parseCommand(argv, { ...COMMON_OPTIONS, list: { type: 'boolean' } }, { max: 20, what: 'NAME' });
  const scripts = benchScripts(root);
  if (scripts === null) {
    throw new CliError(EXIT.BAD_PATH, 'the benchmarks are not part of this installation: they run from a source checkout ' +
      '(clone the repository, npm ci, then msrp bench or npm run bench:NAME)');
  }
  const names = [...scripts.keys()];
  if (values.list === true) {
    for (const name of names) out.event('bench', { name, script: scripts.get(name) }, `${name.padEnd(12)} npm run bench:${name}  (${scripts.get(name)})`);
    return EXIT.OK;
  }
  const unknown = positionals.find((p) => !scripts.has(p));
  if (unknown !== undefined) throw new UsageError(`no benchmark ${JSON.stringify(unknown)}: there are ${names.join(', ')}`);
  const chosen = positionals.length > 0 ? positionals : names;
  for (const name of chosen) {
    out.event('bench-start', { name, script: scripts.get(name) }, `== npm run bench:${name}`);
    const started = Date.now();
    const code = await runScript(root, name, out);
    out.event('bench-end', { name, exitCode: code, seconds: (Date.now() - started) / 1000 });
    if (code !== 0) throw new CliError(EXIT.FAILURE, `npm run bench:${name} failed with exit code ${code}`);
  }
  return EXIT.OK;
}
