/**
 * Child process of session-memory.test.ts: 1 GiB as one message through a
 * pair of MsrpSessions over loopback (both in this process), from a Readable
 * of views of one shared buffer to an 'incoming' stream whose consumer drops
 * the data, optionally slowly. Prints one JSON line: octets received, the
 * outcome, the RSS before the transfer and its peak during it.
 */
import type { IncomingStream } from '../../src/session.ts';
import { patternStream, sessionPair } from '../session/helpers.ts';

const SIZE = Number(process.env.MSRP_MEMORY_SIZE ?? 2 ** 30);
const SLOW = process.env.MSRP_MEMORY_SLOW === '1';

const pair = await sessionPair({ b: { inlineLimit: 1 << 20, progressReports: 64 << 20 } });
// settle the heap before the baseline: code loaded, wasm instantiated, a first small message through
await pair.a.sendMessage('warm up').done;
global.gc?.();
const before = process.memoryUsage.rss();
let peak = before;
const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 10);

let received = 0;
const ended = new Promise<void>((resolve, reject) => {
  pair.b.on('incoming', (stream: IncomingStream) => {
    stream.on('error', reject);
    stream.on('end', resolve);
    if (!SLOW) {
      stream.on('data', (d: Buffer) => { received += d.length; });
      return;
    }
    // a slow consumer: one chunk per macrotask turn
    stream.on('readable', function read() {
      const d = stream.read() as Buffer | null;
      if (d === null) return;
      received += d.length;
      setImmediate(read);
    });
  });
});
const sent = pair.a.sendMessage(patternStream(SIZE, 1 << 20), 'application/octet-stream', { size: SIZE, successReport: 'yes' });
const [outcome] = await Promise.all([sent.done, ended]);
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage.rss());
await pair.close();
console.log(JSON.stringify({ received, status: outcome.status, confirmedBy: outcome.confirmedBy, before, peak }));
