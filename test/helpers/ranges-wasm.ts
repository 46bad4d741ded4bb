/**
 * Test-only: compiles assembly/ranges.ts on its own (stub runtime, as the core
 * build does) and instantiates it, until the core's loader (src/core/wasm.ts)
 * serves the tracker exports. Cached in the temp folder by source hash.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RangeExports } from '../../src/core/ranges.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A fresh instance of the tracker core (own memory, so tests do not share pools). */
export function rangeCore(): RangeExports {
  const sources = ['assembly/ranges.ts', 'assembly/constants.ts'].map((p) => readFileSync(join(root, p)));
  const hash = createHash('sha256').update(Buffer.concat(sources)).digest('hex').slice(0, 16);
  const out = join(tmpdir(), `msrp-ranges-${hash}.wasm`);
  if (!existsSync(out)) {
    execFileSync(process.execPath, [join(root, 'node_modules/assemblyscript/bin/asc.js'), 'assembly/ranges.ts',
      '--runtime', 'stub', '-O3', '--noAssert', '-o', out], { cwd: root, stdio: 'inherit' });
  }
  const module = new WebAssembly.Module(readFileSync(out));
  return new WebAssembly.Instance(module, {}).exports as unknown as RangeExports;
}
