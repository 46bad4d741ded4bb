/**
 * Plumbing for the stream tests on real sockets: an offer/answer exchange
 * done as SDP text (what a SIP stack would carry), event waiting with a
 * deadline, and temporary directories.
 */
import { once, type EventEmitter } from 'node:events';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatClock, ChatStream, type ChatStreamOptions } from '../../src/streams/chat.ts';
import type { FileTransferStreamOptions } from '../../src/streams/file-transfer.ts';
import type { RelayOptions } from '../../src/connect/index.ts';
import type { MsrpRelay } from '../../src/relay/relay.ts';
import { testCertificates } from '../helpers/tls.ts';
import { REALM, USERS } from '../relay/server-helpers.ts';
import { formatSdp } from '../../src/streams/sdp.ts';
import type { MsrpStreamBase, StreamEvents } from '../../src/streams/stream-base.ts';

/** Any stream class: what an offer/answer exchange needs of it. */
type AnyStream = Pick<MsrpStreamBase<StreamEvents>, 'initialize' | 'start'>;

/**
 * The offerer initializes, its SDP goes as text to the answerer, the answer
 * comes back as text; both start. `seen` rewrites the answer on its way back
 * (a peer whose SDP claims more than it takes); it must change it.
 */
export async function negotiate(offerer: AnyStream, answerer: AnyStream,
  seen?: (answer: string) => string): Promise<{ offer: string; answer: string }> {
  const offer = formatSdp([await offerer.initialize()]);
  const answer = formatSdp([await answerer.initialize(offer)]);
  const received = seen === undefined ? answer : seen(answer);
  if (seen !== undefined) assert.is.not(received, answer, 'the answer was not rewritten');
  await Promise.all([offerer.start(received), answerer.start(offer)]);
  return { offer, answer };
}

/** Options for a chat stream on loopback. */
export function chatOptions(local: string, remote: string, more: Partial<ChatStreamOptions> = {}): ChatStreamOptions {
  return {
    host: '127.0.0.1', localIdentity: { uri: local, displayName: null }, remoteIdentity: remote, endTimeout: 2000,
    ...more, connect: { pool: null, bindTimeout: 5000, connectTimeout: 5000, ...more.connect },
    session: { keepalive: 0, ...more.session },
  };
}

/** Alice (offerer) and Bob (answerer), started; `seen` rewrites Bob's answer as negotiate says. */
export async function chatPair(alice: Partial<ChatStreamOptions> = {}, bob: Partial<ChatStreamOptions> = {},
  seen?: (answer: string) => string): Promise<[ChatStream, ChatStream]> {
  const a = new ChatStream(chatOptions('sip:alice@example.com', 'sip:bob@example.com', alice));
  const b = new ChatStream(chatOptions('sip:bob@example.com', 'sip:alice@example.com', bob));
  await negotiate(a, b, seen);
  return [a, b];
}

/** The next `event` of `emitter` (its arguments), or an error after `ms`. */
export async function next<T = unknown>(emitter: EventEmitter, event: string, ms = 5000): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  try {
    const [value] = await once(emitter, event, { signal });
    return value as T;
  } catch (err) {
    if (signal.aborted) throw new Error(`no '${event}' within ${ms} ms`);
    throw err;
  }
}

/** Collects every `event` of `emitter` into an array. */
export function collect<T = unknown>(emitter: EventEmitter, event: string): T[] {
  const out: T[] = [];
  emitter.on(event, (value: T) => out.push(value));
  return out;
}

/** A fresh temporary directory, and its removal. */
export async function tempDir(prefix = 'msrp-stream-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export { until } from '../helpers/until.ts';

/** Asserts that `promise` rejects with an instance of `type` whose code is `code`; returns the error. */
export async function rejects<T extends Error & { code?: string }>(promise: Promise<unknown>, type: new (...args: never[]) => T,
  code: string): Promise<T> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, type, String(err));
    assert.is((err as T).code, code, (err as Error).message);
    return err as T;
  }
  return assert.unreachable(`expected a rejection with ${code}`) as never;
}

/** A hand-driven clock for is-composing timers: `advance(ms)` runs what falls due, in order. */
export class FakeClock implements ChatClock {
  time = 1_700_000_000_000;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();
  #ids = 0;

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#ids;
    this.#timers.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Timers waiting. */
  get pending(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.#timers) if (entry[1].at <= end && (due === null || entry[1].at < due[1].at)) due = entry;
      if (due === null) break;
      this.#timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = end;
  }
}

/** Loopback options for a file stream. */
export function fileOptions(more: FileTransferStreamOptions): FileTransferStreamOptions {
  return {
    host: '127.0.0.1', endTimeout: 2000, ...more,
    connect: { pool: null, bindTimeout: 5000, connectTimeout: 5000, ...more.connect }, session: { keepalive: 0, ...more.session },
  };
}

/** A file of `size` random octets in `dir`. */
export async function randomFile(dir: string, name: string, size: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, randomBytes(size));
  return path;
}

/** Relay settings for `user` of a test relay (test/relay/server-helpers.ts), trusting its CA. */
export async function relayOptions(relay: MsrpRelay, user: keyof typeof USERS): Promise<RelayOptions> {
  const certs = await testCertificates();
  return { host: 'localhost', port: relay.uri.port as number, username: user, password: USERS[user], realm: REALM, tls: { ca: certs.ca.cert } };
}
