/**
 * Two MsrpSessions on 127.0.0.1 without SIP: an acceptor (passive end) and a
 * connector (active end) exchange their paths as a SIP stack would carry them
 * in SDP, bind, and Alice sends Bob a message asking for a success REPORT
 * (RFC 4975 §7.1.1), then a 3 MiB message Bob hashes from borrowed views.
 * Run: node --import tsx examples/session.ts
 */
import { createHash } from 'node:crypto';
import { getAcceptor, getConnector, MsrpSession, type ReceivedMessage } from '../src/index.ts';

const acceptor = getAcceptor({ host: '127.0.0.1', bindTimeout: 5000 });
const connector = getConnector({ host: '127.0.0.1', bindTimeout: 5000, connectTimeout: 5000, pool: null });

// prepare(): each end's own path (the a=path of its SDP); complete(): the peer's path -> a bound MsrpTransport.
const bobPath = await acceptor.prepare();
const alicePath = await connector.prepare();
const [aliceTransport, bobTransport] = await Promise.all([connector.complete(bobPath), acceptor.complete(alicePath)]);

const alice = new MsrpSession(aliceTransport, { keepalive: 0 });
const bob = new MsrpSession(bobTransport, { keepalive: 0 });

const received = new Promise<ReceivedMessage>((resolve) => bob.once('message', resolve));
const reported = new Promise<string>((resolve) => alice.once('report', (r) => resolve(`${r.status.code} for ${r.messageId}`)));

const sent = alice.sendMessage('Hello Bob', 'text/plain', { successReport: 'yes' });
const message = await received;
const outcome = await sent.done; // settles once the success REPORT came back
console.log(`bob got "${message.body.toString()}" (${message.contentType})`);
console.log(`report ${await reported}`);
if (outcome.status !== 'delivered' || outcome.confirmedBy !== 'report') throw new Error(`unexpected outcome ${outcome.status}`);

// A message over inlineLimit comes as an 'incoming' stream. A consumer that handles each piece at once
// borrows views of them (no Readable, no copy; each view is valid only during the call, false pauses).
const big = Buffer.alloc(3 << 20, 'm');
const hashed = new Promise<string>((resolve, reject) => bob.once('incoming', (stream) => {
  const hash = createHash('sha256');
  stream.borrow((view) => { hash.update(view); });
  stream.once('end', () => resolve(hash.digest('hex')));
  stream.once('error', reject);
}));
await alice.sendMessage(big, 'application/octet-stream').done;
if (await hashed !== createHash('sha256').update(big).digest('hex')) throw new Error('the borrowed octets differ');
console.log(`bob hashed ${big.length} octets from borrowed views`);

// shutdown(): waits for pending messages (bounded by `timeout`), then closes the session.
await Promise.all([alice.shutdown({ timeout: 2000 }), bob.shutdown({ timeout: 2000 })]);
console.log('session example: ok');
