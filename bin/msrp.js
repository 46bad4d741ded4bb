#!/usr/bin/env node
// The `msrp` command. In a source checkout (src/ present) it runs the
// TypeScript sources through tsx, so a dist/ left from an earlier build never
// runs stale code; an installed package (dist/ only) runs the compiled CLI.
import { existsSync } from 'node:fs';

const src = new URL('../src/cli/main.ts', import.meta.url);
const dist = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(src) || !existsSync(dist)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(src.href);
} else {
  await import(dist.href);
}
