/**
 * `msrp demo` (what `npm start` runs): the whole stack on localhost in one
 * process, with nothing to set up.
 *
 * 1. An MsrpRelay (RFC 4976) on 127.0.0.1 named `localhost`, with a
 *    certificate generated for that name and two users with random passwords.
 * 2. Alice and Bob AUTH to it over TLS with digest (their clients pin the
 *    relay's certificate by its fingerprint) and open a chat session through
 *    it, SDP offer/answer handed over in memory (a SIP stack's job).
 * 3. Chat: a CPIM message asking for an IMDN, confirmed by success REPORT
 *    and by the IMDN; an is-composing indication; a reply; a private message
 *    refused, since Bob's SDP has no a=chatroom:private-messages (RFC 7701).
 * 4. A file of random octets (100 MB unless --size) from Alice to Bob
 *    through the relay (RFC 5547), sha-1 checked by the receiving stream and
 *    sha-256 compared here, with its throughput.
 * 5. A short summary; everything is closed and the temporary files removed.
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChatStream, type ChatStreamOptions, FileTransferStream, formatSdp, MemoryCredentialStore, MsrpRelay, type MsrpStreamBase,
  type RelayOptions, type StreamEvents, type StreamOptions, trafficLogTo,
} from '../index.ts';
import { COMMON_OPTIONS, parseCommand, parseSize, stringFlag } from './args.ts';
import { generateCertificate } from './certificate.ts';
import { CliError, EXIT, type ExitCode } from './exit.ts';
import { Interrupt, orInterrupt } from './input.ts';
import { type Output, quoted } from './output.ts';
import { formatBytes, formatElapsed, formatRate } from './progress.ts';

/** Default size of the demo file: 100 MB. */
export const DEFAULT_DEMO_SIZE = 100_000_000;
/** Ms any one step of the chat may take before the demo gives up. */
const STEP_MS = 30_000;

/** The next `event` of `emitter` matching `filter`, or a CliError after STEP_MS. */
function next<T>(emitter: NodeJS.EventEmitter, event: string, what: string, filter: (value: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new CliError(EXIT.FAILURE, `the demo waited ${STEP_MS / 1000} s for ${what}`));
    }, STEP_MS);
    const listener = (value: T): void => {
      if (!filter(value)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(value);
    };
    emitter.on(event, listener);
  });
}

/** What an offer/answer needs of a stream. */
type Negotiable = Pick<MsrpStreamBase<StreamEvents>, 'initialize' | 'start'>;

/** Offer/answer in memory, as a SIP stack would carry it: SDP text both ways. */
async function negotiate(offerer: Negotiable, answerer: Negotiable): Promise<void> {
  const offer = formatSdp([await offerer.initialize()]);
  const answer = formatSdp([await answerer.initialize(offer)]);
  await Promise.all([offerer.start(answer), answerer.start(offer)]);
}

/** Writes `size` random octets to `path`; resolves to their sha-256. */
async function randomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    const block = Buffer.allocUnsafe(1 << 20);
    for (let left = size; left > 0;) {
      const piece = block.subarray(0, Math.min(left, block.length));
      randomFillSync(piece);
      hash.update(piece);
      await file.write(piece);
      left -= piece.length;
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

/** The sha-256 of a file, read streaming. */
async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

/** What the chat part found, for the summary. */
interface ChatResult {
  delivered: number;
  byImdn: number;
  refused: { code: number; reason: string };
}

/** Step 3: the chat between Alice and Bob (streams already started). */
async function chatDemo(alice: ChatStream, bob: ChatStream, out: Output): Promise<ChatResult> {
  const first = 'Hello Bob! This message went through an MSRP relay, wrapped in CPIM.';
  const gotFirst = next<{ content: string | Buffer; contentType: string; cpimHeaders: unknown[] }>(bob, 'message', 'Bob to get the message');
  const reported = next<{ source: string }>(alice, 'delivered', 'a success REPORT', (d) => d.source === 'report');
  const imdn = next<{ source: string }>(alice, 'delivered', 'the IMDN', (d) => d.source === 'imdn');
  const handle = alice.sendMessage(first, { notifications: ['delivery'] });
  const m = await gotFirst;
  out.event('chat', { from: 'alice', to: 'bob', text: first, wrapped: m.cpimHeaders.length > 0 },
    `alice -> bob   ${quoted(String(m.content))} (${m.cpimHeaders.length > 0 ? 'in message/cpim' : m.contentType})`);
  await reported;
  out.event('delivered', { messageId: handle.messageId, source: 'report' }, '              delivered: a success REPORT came back through the relay');
  await imdn;
  out.event('delivered', { messageId: handle.messageId, source: 'imdn' }, '              delivered: Bob\'s IMDN delivery notification came too');
  const composing = next<{ state: string }>(alice, 'composing', 'the is-composing indication');
  bob.sendComposingIndication('active');
  await composing;
  out.event('composing', { from: 'bob', state: 'active' }, 'bob           is typing (RFC 3994 is-composing)');
  const reply = 'Hi Alice, got it. Send me that file!';
  const gotReply = next<{ content: string | Buffer }>(alice, 'message', 'Alice to get the reply');
  const replyDone = bob.sendMessage(reply).done;
  await gotReply;
  const replied = await replyDone;
  out.event('chat', { from: 'bob', to: 'alice', text: reply }, `bob -> alice   ${quoted(reply)}, ${replied.delivered ? 'delivered (success REPORT)' : `not delivered: ${replied.reason}`}`);
  const secret = alice.sendMessage('psst, only for Carol', { recipients: ['sip:carol@localhost'] });
  const refused = await secret.done;
  if (refused.delivered) throw new CliError(EXIT.FAILURE, 'the private message was delivered, but Bob takes no private messages');
  out.event('refused', { messageId: secret.messageId, code: refused.code, reason: refused.reason },
    `alice -> carol (private, through Bob's session): refused ${refused.code}: ${refused.reason}`);
  return { delivered: 2 + (replied.delivered ? 0 : -1), byImdn: 1, refused: { code: refused.code, reason: refused.reason ?? '' } };
}

/** Step 4: the file; resolves to its size, seconds and whether both hashes matched. */
async function fileDemo(dir: string, size: number, options: (user: 'alice' | 'bob') => StreamOptions, out: Output) {
  const source = join(dir, 'demo-file.bin');
  const received = join(dir, 'received');
  await mkdir(received);
  const created = Date.now();
  const sha256 = await randomFile(source, size);
  out.event('file-created', { size, sha256, seconds: (Date.now() - created) / 1000 },
    `file          ${formatBytes(size)} of random octets (sha-256 ${sha256.slice(0, 16)}...)`);
  const sender = new FileTransferStream({ ...options('alice'), file: { path: source }, progressInterval: 1 << 20 });
  const receiver = new FileTransferStream({ ...options('bob'), destination: received, progressInterval: 1 << 20 });
  try {
    const bar = out.progress('alice -> bob', size);
    sender.on('progress', (p) => {
      bar?.update(p.transferred);
      if (out.json) out.event('progress', { transferred: p.transferred, total: p.total });
    });
    const failure = (side: string) => new Promise<never>((_, reject) => {
      (side === 'alice' ? sender : receiver).once('failed', (f) => reject(f.error ?? new CliError(EXIT.TRANSFER, f.reason)));
    });
    const sent = once(sender, 'finished');
    const got = once(receiver, 'finished');
    const started = Date.now();
    await negotiate(sender, receiver);
    const [, [info]] = await Promise.race([Promise.all([sent, got]), failure('alice'), failure('bob')]);
    const seconds = (Date.now() - started) / 1000;
    bar?.done();
    const path = (info as { path: string }).path;
    const same = (await sha256Of(path)) === sha256;
    if (!same) throw new CliError(EXIT.TRANSFER, 'the received file differs from the one sent (sha-256)');
    out.event('file-received', { size, seconds, rate: Math.round(size / seconds), sha1Verified: true, sha256Equal: true },
      `file          received whole: sha-1 checked by Bob's stream, sha-256 equal; ${formatRate(size / seconds)} (${formatElapsed(seconds)})`);
    return { seconds };
  } finally {
    await Promise.all([sender.end(), receiver.end()]);
  }
}

/** `msrp demo`: see the module comment. */
export async function demo(argv: string[], out: Output): Promise<ExitCode> {
  const { values } = parseCommand(argv, { ...COMMON_OPTIONS, size: { type: 'string' } });
  const size = values.size === undefined ? DEFAULT_DEMO_SIZE : parseSize(stringFlag(values, 'size')!, '--size');
  if (size < 1) throw new CliError(EXIT.USAGE, '--size must be at least 1 octet');
  const began = Date.now();
  const trafficLog = values.trace === true ? trafficLogTo((text) => process.stderr.write(text)) : undefined;
  const cert = await generateCertificate(['localhost']);
  const passwords = { alice: randomBytes(12).toString('base64url'), bob: randomBytes(12).toString('base64url') };
  const relay = await MsrpRelay.listen({
    host: 'localhost', listenHost: '127.0.0.1', port: 0, tls: { cert: cert.cert, key: cert.key },
    credentials: new MemoryCredentialStore(Object.entries(passwords).map(([username, password]) => ({ username, realm: 'localhost', password }))),
    trafficLog,
  });
  const dir = await mkdtemp(join(tmpdir(), 'msrp-demo-'));
  const streams: Array<{ end(): Promise<void> }> = [];
  const interrupt = new Interrupt();
  const cleanup = async () => {
    await Promise.all(streams.map((s) => s.end().catch(() => {})));
    await relay.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    out.event('relay', { uri: String(relay.uri), fingerprint: cert.fingerprint, users: Object.keys(passwords) },
      `relay         ${relay.uri} (TLS, certificate generated for localhost, ${cert.fingerprint.slice(0, 23)}...)`);
    const options = (user: 'alice' | 'bob'): StreamOptions => {
      const settings: RelayOptions = {
        host: 'localhost', port: relay.uri.port as number, username: user, password: passwords[user], tls: { fingerprint: cert.fingerprint },
      };
      return { connect: { relay: settings, pool: null, trafficLog }, endTimeout: 5000 };
    };
    const chatOptions = (user: 'alice' | 'bob', peer: 'alice' | 'bob'): ChatStreamOptions => ({
      ...options(user), localIdentity: { uri: `sip:${user}@localhost`, displayName: user === 'alice' ? 'Alice' : 'Bob' }, remoteIdentity: `sip:${peer}@localhost`,
    });
    const alice = new ChatStream(chatOptions('alice', 'bob'));
    const bob = new ChatStream(chatOptions('bob', 'alice'));
    streams.push(alice, bob);
    const work = (async () => {
      await negotiate(alice, bob);
      out.event('chat-started', { path: alice.localMedia?.path.map(String) },
        'alice, bob    authenticated to the relay (TLS, digest); chat session bound through it');
      const chatResult = await chatDemo(alice, bob, out);
      await Promise.all([alice.end(), bob.end()]);
      const file = await fileDemo(dir, size, options, out);
      return { chatResult, file };
    })();
    const { chatResult, file } = await orInterrupt(work, interrupt, cleanup, 'interrupted: the demo stopped and removed its files');
    const total = (Date.now() - began) / 1000;
    out.event('summary', {
      relay: String(relay.uri), delivered: chatResult.delivered, deliveredByImdn: chatResult.byImdn, refused: chatResult.refused,
      file: { size, seconds: file.seconds, rate: Math.round(size / file.seconds), hashVerified: true }, seconds: total,
    }, [
      '',
      'summary',
      `  relay     ${relay.uri}: 2 users authenticated over TLS with digest`,
      `  chat      ${chatResult.delivered} messages delivered (success REPORTs; ${chatResult.byImdn} also by IMDN), ` +
        `1 private message refused (${chatResult.refused.code})`,
      `  file      ${formatBytes(size)} through the relay in ${file.seconds.toFixed(2)} s: ${formatRate(size / file.seconds)}, hash verified`,
      `  total     ${total.toFixed(1)} s`,
    ].join('\n'));
    return EXIT.OK;
  } finally {
    interrupt.dispose();
    await cleanup();
  }
}
