import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { sessionPair } from '../test/session/helpers.ts';
const WINDOW = Number(process.argv[2] ?? 8192);
const minor = process.argv[3] === 'minor';
const count = 200_000;
const s = new Session(); s.connect();
const pair = await sessionPair({ a: { maxPendingMessages: WINDOW * 2 } });
let received = 0;
pair.b.on('message', () => { received++; });
const text = Buffer.alloc(200, 'x');
let done = 0;
await s.post('HeapProfiler.startSampling', { samplingInterval: 2048, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: minor });
await new Promise<void>((resolve) => {
  let sent = 0;
  const settle = (): void => {
    done++;
    if (done === count) resolve();
    else if (sent - done <= WINDOW / 2) pump();
  };
  const pump = (): void => {
    while (sent < count && sent - done < WINDOW) { sent++; pair.a.sendMessage(text, 'text/plain').done.then(settle, settle); }
  };
  pump();
});
const { profile } = await s.post('HeapProfiler.stopSampling');
writeFileSync('/tmp/chat/h.heapprofile', JSON.stringify(profile));
console.log('done', received);
process.exit(0);
