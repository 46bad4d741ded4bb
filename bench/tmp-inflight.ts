import { writeHeapSnapshot } from 'node:v8';
import { sessionPair } from '../test/session/helpers.ts';
const N = 8192;
const pair = await sessionPair({ a: { maxPendingMessages: N * 2 } });
pair.sockets.b.pause();
const text = Buffer.alloc(200, 'x');
// warm
const keep: unknown[] = [];
globalThis.gc?.(); globalThis.gc?.();
const before = process.memoryUsage().heapUsed;
writeHeapSnapshot('/tmp/chat/before.heapsnapshot');
for (let i = 0; i < N; i++) keep.push(pair.a.sendMessage(text, 'text/plain').done.then(() => {}));
await new Promise((r) => setTimeout(r, 300));
globalThis.gc?.(); globalThis.gc?.();
const after = process.memoryUsage().heapUsed;
console.log('retained per in-flight message', ((after - before) / N).toFixed(0));
writeHeapSnapshot('/tmp/chat/after.heapsnapshot');
process.exit(0);
