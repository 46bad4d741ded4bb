import { writeHeapSnapshot } from 'node:v8';
import { sessionPair } from '../test/session/helpers.ts';
const WINDOW = Number(process.argv[2] ?? 1024);
const count = 200_000;
const pair = await sessionPair({ a: { maxPendingMessages: WINDOW * 2 } });
let received = 0;
pair.b.on('message', () => { received++; });
const text = Buffer.alloc(200, 'x');
let done = 0; let snap = false;
await new Promise<void>((resolve) => {
  let sent = 0;
  const settle = (): void => {
    done++;
    if (!snap && done === 100_000) { snap = true; writeHeapSnapshot('/tmp/chat/mid.heapsnapshot'); console.log('inflight', sent - done); }
    if (done === count) resolve();
    else if (sent - done <= WINDOW / 2) pump();
  };
  const pump = (): void => {
    while (sent < count && sent - done < WINDOW) { sent++; pair.a.sendMessage(text, 'text/plain').done.then(settle, settle); }
  };
  pump();
});
console.log('done', received);
process.exit(0);
