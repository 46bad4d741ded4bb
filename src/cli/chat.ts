/**
 * `msrp chat`: a chat session (ChatStream) between two terminals, directly or
 * through a relay, with the SDP offer/answer done by hand (sdp-token.ts): one
 * side runs `msrp chat` and prints its offer, the other runs `msrp chat
 * --answer`, pastes it and prints the answer, which the first side pastes.
 *
 * Then every line typed is a message, CPIM-wrapped (RFC 3862) so it carries
 * the sender (`--me`) and the time; received messages are printed with both.
 * Typing on a terminal sends is-composing (RFC 3994), and the peer's is
 * shown. Delivery is confirmed by success REPORTs (RFC 4975 §7.1.2); a
 * message that was not delivered is reported with its reason. Ctrl-D (end of
 * input) ends the chat after pending messages went out; Ctrl-C ends it at
 * once. The peer leaving ends it too: directly its connection closes;
 * through a relay a periodic bodiless SEND finds its session gone.
 */
import os from 'node:os';
import { ChatStream, type IncomingChatMessage } from '../index.ts';
import { parseCommand, stringFlag } from './args.ts';
import { abort, endpointFrom, ENDPOINT_OPTIONS } from './endpoint.ts';
import { CliError, EXIT, UsageError, type ExitCode } from './exit.ts';
import { Interrupt, LineReader, orInterrupt } from './input.ts';
import { type Output, printable } from './output.ts';
import { readPeerMedia, showSdp } from './sdp-token.ts';

/** A default identity: the relay user at the relay's host, else the login name at this host. */
function defaultIdentity(user: string | undefined, relayHost: string | undefined): string {
  if (user !== undefined && relayHost !== undefined) return `sip:${user}@${relayHost}`;
  let login = 'anonymous';
  try {
    login = os.userInfo().username.replace(/[^A-Za-z0-9._-]/g, '') || login;
  } catch { /* no passwd entry: anonymous */ }
  return `sip:${login}@${os.hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'localhost'}`;
}

/** Ms between the bodiless SENDs that find out whether the peer is still there through a relay. */
const PROBE_MS = 5000;

/**
 * Through a relay the peer leaving closes nothing on this side, and without
 * SIP no BYE says so: a bodiless SEND (RFC 4975 §7.1) every PROBE_MS finds
 * out. 481 (RFC 4975 §10.8: "the sender should terminate the session") or a
 * relay's 403 for a client that is gone mean the peer left. Returns the stop.
 */
function watchPeer(stream: ChatStream, onGone: (code: number, comment: string | null) => void): () => void {
  const timer = setInterval(() => {
    const session = stream.session;
    if (session === null || session.closed) return;
    session.sendChunk(session.transport.makeSendRequest({ successReport: 'no' })).then((result) => {
      if (result.code === 481 || result.code === 403) onGone(result.code, result.comment);
    }, () => { /* the session's own close ends the chat */ });
  }, PROBE_MS);
  return () => clearInterval(timer);
}

/** True for the end of a session whose peer closed its connection cleanly (TCP FIN without an error). */
function closedByPeer(error: Error | null): boolean {
  return error === null || ((error as { code?: string }).code === 'MSRP_ERR_CONNECTION_LOST' && error.cause === undefined);
}

/** A received message as text: `[12:30:05] sip:bob@example.com: hello`, continuation lines indented. */
export function formatMessage(m: Pick<IncomingChatMessage, 'sender' | 'timestamp' | 'content' | 'contentType' | 'private'>): string {
  const time = m.timestamp.toTimeString().slice(0, 8);
  const who = m.sender.displayName !== null ? `${m.sender.displayName} <${m.sender.uri}>` : m.sender.uri;
  const body = typeof m.content === 'string' ? m.content : `[${m.content.length} octets of ${m.contentType}]`;
  return `[${time}] ${printable(who)}${m.private ? ' (private)' : ''}: ${printable(body).replace(/\n/g, '\n    ')}`;
}

/** `msrp chat`: see the module comment. */
export async function chat(argv: string[], out: Output): Promise<ExitCode> {
  const { values } = parseCommand(argv, { ...ENDPOINT_OPTIONS, answer: { type: 'boolean' }, me: { type: 'string' }, peer: { type: 'string' } });
  const me = stringFlag(values, 'me');
  const peer = stringFlag(values, 'peer');
  for (const [flag, uri] of [['--me', me], ['--peer', peer]] as const) {
    if (uri !== undefined && !/^[a-z][a-z0-9+.-]*:[^\s<>"]+$/i.test(uri)) throw new UsageError(`${flag} ${JSON.stringify(uri)} is not a URI such as sip:alice@example.com`);
  }
  const endpoint = await endpointFrom(values);
  const stream = new ChatStream({
    ...endpoint.stream, localIdentity: me ?? defaultIdentity(stringFlag(values, 'user'), endpoint.relay?.host),
    remoteIdentity: peer ?? 'sip:anonymous@anonymous.invalid', preferCpim: true,
  });
  const interrupt = new Interrupt();
  const lines = new LineReader();
  const end = () => abort(stream);
  let stopWatching = (): void => {};
  try {
    let remote;
    if (values.answer === true) {
      if (!out.json) out.say('paste the line the other `msrp chat` printed:');
      const offer = await orInterrupt(readPeerMedia(lines), interrupt, end, 'interrupted while waiting for the offer');
      const answer = await orInterrupt(stream.initialize(offer), interrupt, end, 'interrupted before the answer was made');
      showSdp(out, 'answer', answer, 'paste this line into the other `msrp chat`:');
      remote = offer;
    } else {
      const offer = await orInterrupt(stream.initialize(), interrupt, end, 'interrupted before the offer was made');
      showSdp(out, 'offer', offer, 'run `msrp chat --answer` on the other side and paste this line there:');
      if (!out.json) out.say('then paste the answer it prints here:');
      remote = await orInterrupt(readPeerMedia(lines), interrupt, end, 'interrupted while waiting for the answer');
      if (remote.port === 0) throw new CliError(EXIT.REFUSED, 'the other side refused the chat');
    }
    const ended = new Promise<Error | null>((resolve) => stream.once('didEnd', ({ error }) => resolve(error)));
    stream.on('message', (m) => out.event('message', {
      messageId: m.messageId, from: m.sender.uri, time: m.timestamp.toISOString(), contentType: m.contentType, private: m.private,
      text: typeof m.content === 'string' ? m.content : null,
    }, formatMessage(m)));
    stream.on('composing', (c) => out.event('composing', { from: c.sender.uri, state: c.state },
      c.state === 'active' ? `(${printable(c.sender.uri)} is typing)` : undefined));
    stream.on('delivered', (d) => out.event('delivered', { messageId: d.messageId, source: d.source }));
    stream.on('notDelivered', (d) => {
      out.event('not-delivered', { messageId: d.messageId, code: d.code, reason: d.reason });
      if (!out.json) out.warn(`a message was not delivered: ${d.reason}`);
    });
    await orInterrupt(stream.start(remote), interrupt, end, 'interrupted while connecting');
    out.event('connected', { peer: remote.path.map(String) }, `connected ${endpoint.via}; type a line and Enter to send it, Ctrl-D to leave`);
    const typing = (): void => {
      if (stream.state === 'started') stream.sendComposingIndication('active');
    };
    if (process.stdin.isTTY === true) process.stdin.on('keypress', typing);
    const gone = new Promise<string>((resolve) => {
      stopWatching = endpoint.relay === null ? () => {} : watchPeer(stream, (code, comment) => resolve(`${code} ${comment ?? ''}`.trim()));
    });
    const reading = (async () => {
      for (let line = await lines.next(); line !== null && stream.state === 'started'; line = await lines.next()) {
        if (line === '') continue;
        const handle = stream.sendMessage(line, { timestamp: new Date() });
        out.event('sent', { messageId: handle.messageId, text: line });
      }
      return 'input-ended' as const;
    })();
    const why = await orInterrupt(Promise.race([reading, ended.then(() => 'peer-left' as const), gone]), interrupt, end, 'interrupted: chat ended');
    process.stdin.off('keypress', typing);
    stopWatching();
    if (why === 'input-ended') {
      await stream.end();
      out.event('ended', { by: 'local' }, 'chat ended');
      return EXIT.OK;
    }
    if (why !== 'peer-left') {
      await stream.end();
      out.event('ended', { by: 'peer', status: why }, `the other side left the chat (a SEND through the relay got ${why})`);
      return EXIT.OK;
    }
    const error = await ended;
    if (!closedByPeer(error)) throw error;
    out.event('ended', { by: 'peer' }, 'the other side left the chat');
    return EXIT.OK;
  } finally {
    stopWatching();
    lines.close();
    interrupt.dispose();
    await stream.end().catch(() => {});
  }
}
