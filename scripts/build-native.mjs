#!/usr/bin/env node
// Builds the optional native accelerator (native/msrp-native.c, binding.gyp)
// with node-gyp: `npm ci` runs this as the package's install script. The
// library works without it (src/core/native.ts then loads nothing and the wasm
// core does all the work), so a machine without a compiler or Node's headers
// gets a one-line note, never a failed install. `--if-needed` skips a build
// newer than its sources; MSRP_NO_NATIVE_BUILD=1 skips it altogether.
// `configure` and `build`, not `rebuild`: node-gyp's clean would delete build/,
// where the wasm core is built too.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const output = join(root, 'build', 'Release', 'msrp_native.node');
const sources = ['native/msrp-native.c', 'binding.gyp'].map((p) => join(root, p));

function note(message) {
  console.log(`msrp: ${message}; the wasm core does all the work without it`);
  process.exit(0);
}

if (process.env.MSRP_NO_NATIVE_BUILD === '1') note('native accelerator not built (MSRP_NO_NATIVE_BUILD=1)');
if (process.argv.includes('--if-needed') && existsSync(output)
  && sources.every((s) => statSync(s).mtimeMs <= statSync(output).mtimeMs)) process.exit(0);

/** node-gyp: the one npm names for its scripts, else npm's own copy next to this node. */
function nodeGyp() {
  const named = process.env.npm_config_node_gyp;
  if (named && existsSync(named)) return named;
  try {
    return createRequire(join(process.execPath, '..', '..', 'lib', 'node_modules', 'npm', 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

/** Node's headers: npm's nodedir setting, else the ones installed with this node (node-gyp would download them). */
function nodeDir() {
  const named = process.env.npm_config_nodedir;
  if (named) return named;
  const prefix = join(process.execPath, '..', '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

const gyp = nodeGyp();
if (gyp === null) note('native accelerator not built (node-gyp not found)');
const dir = nodeDir();
for (const step of ['configure', 'build']) {
  const args = [gyp, step, '--loglevel=warn', ...(dir === null ? [] : [`--nodedir=${dir}`])];
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) note(`native accelerator not built (node-gyp ${step} failed)`);
}
console.log(`msrp: native accelerator built (${output})`);
