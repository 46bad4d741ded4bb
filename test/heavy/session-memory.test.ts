/**
 * Bounded memory (issue 5): 1 GiB through a session in a child process, with
 * a fast and with a slow consumer; the peak RSS grows by less than 100 MB.
 * Run by `npm run test:heavy`.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
const LIMIT = 100 * 1000 * 1000;

interface Report { received: number; status: string; confirmedBy: string; before: number; peak: number }

function run(slow: boolean): Promise<Report> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD], {
      env: { ...process.env, MSRP_MEMORY_SLOW: slow ? '1' : '0' }, maxBuffer: 1 << 20, timeout: 600_000,
    }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as Report);
    });
  });
}

const memory = suite('session: 1 GiB in bounded memory');

for (const slow of [false, true]) {
  memory(`1 GiB through a session with a ${slow ? 'slow' : 'fast'} consumer: RSS grows by less than 100 MB`, async () => {
    const r = await run(slow);
    const growth = r.peak - r.before;
    console.log(`  ${slow ? 'slow' : 'fast'} consumer: RSS ${(r.before / 1e6).toFixed(0)} MB before, peak growth ${(growth / 1e6).toFixed(1)} MB`);
    assert.is(r.received, 2 ** 30);
    assert.is(r.status, 'delivered');
    assert.is(r.confirmedBy, 'report');
    assert.ok(growth < LIMIT, `peak RSS grew by ${(growth / 1e6).toFixed(1)} MB`);
  });
}

memory.run();
