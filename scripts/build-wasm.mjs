#!/usr/bin/env node
// Builds the AssemblyScript core when there is one. (Filled in by the wasm core work.)
import { existsSync } from 'node:fs';
if (!existsSync(new URL('../assembly/index.ts', import.meta.url))) process.exit(0);
