/**
 * ChatStream (sipsimple's MSRPChat / ChatStream): instant messages over an
 * MSRP session, with the lifecycle of stream-base.ts.
 *
 * Sending: `sendMessage` checks its arguments at once (MsrpChatError) and
 * returns a handle; messages sent before start() wait in order and go out
 * once the session runs (each gets `notDelivered` if it never does). What
 * can only be known against the peer's media description becomes
 * `notDelivered` with the reason: a type it takes neither plain nor wrapped,
 * a body over its a=max-size (RFC 4975 §8.6), a private message to a peer
 * without `a=chatroom:private-messages` (RFC 7701 §8), a direction that does
 * not let this side send. Messages ask for success REPORTs, and only those
 * settle them `delivered` (a 200 from a relay only says the relay took the
 * chunk, RFC 4975 §5.3).
 *
 * Receiving: the first chunk of a wrapped message is screened before the
 * session answers it: 415 for a wrapped type not in the local accept-types
 * or accept-wrapped-types (RFC 4975 §8.6), 428 for a private message when
 * this side does not advertise `a=chatroom:private-messages` (RFC 7701
 * §6.2); the message is refused and never emitted. Messages come whole
 * (large ones are gathered from the session's incoming stream up to
 * `maxMessageSize`), are unwrapped and decoded by chat-message.ts, and
 * become `message`, `composing` (RFC 3994), or IMDN events (`delivered`,
 * `displayed`, `notDelivered` with source `imdn`, RFC 5438 as the RCS
 * profile carries it over MSRP). Delivery notifications asked for are
 * answered at once, display ones by `markDisplayed`; an IMDN is never
 * answered.
 *
 * Nicknames (RFC 7701 §7): `setNickname` sends NICKNAME with Use-Nickname
 * when the peer's a=chatroom has `nickname`; a side that advertises it
 * answers NICKNAME through `onNickname` (403 when it does not advertise it,
 * 424 for a malformed value).
 */
import { MsrpChatError, MsrpStreamError } from '../errors.ts';
import { randomIdent, type Chunk } from '../protocol/chunk.ts';
import { isSuccess } from '../protocol/status.ts';
import type { ContinuationFlag } from '../protocol/chunk.ts';
import type { IncomingStream, MsrpSession, MsrpSessionOptions, ScreenVerdict, SentMessage } from '../session.ts';
import type { SentChunk } from '../transport.ts';
import { type ChatClock, ComposingIn, type ComposingOptions, ComposingOut, realClock } from './chat-composing.ts';
import {
  CHAT_ACCEPT_TYPES, CHAT_ACCEPT_WRAPPED_TYPES, type ChatContext, type ChatIdentity, type ChatSendOptions, type IncomingChatMessage,
  messageBody, prepareMessage, type PreparedMessage, readIncoming, readIncomingHead, toIdentity,
} from './chat-message.ts';
import { buildImdnResponse, type Imdn, type ImdnRequest, wantsNotification } from './imdn.ts';
import { buildIsComposing, type ComposingState, ISCOMPOSING_CONTENT_TYPE } from './is-composing.ts';
import { acceptsType, answerDirection, canReceive, canSend, deliveryMode, fitsMaxSize, withMandatoryTypes } from './sdp-negotiation.ts';
import type { MsrpMedia } from './sdp.ts';
import { gatherIncoming, type MediaParts, MsrpStreamBase, type StreamEvents, type StreamOptions } from './stream-base.ts';

export type { ChatIdentity, ChatMessagePart, ChatNotification, ChatSendOptions, IncomingChatMessage } from './chat-message.ts';
export { CHAT_ACCEPT_TYPES, CHAT_ACCEPT_WRAPPED_TYPES } from './chat-message.ts';
export type { ChatClock, ComposingOptions } from './chat-composing.ts';

/** Options of a ChatStream. */
export interface ChatStreamOptions extends StreamOptions {
  /** this side's identity (CPIM From) */
  localIdentity: ChatIdentity | string;
  /** the peer's identity (CPIM To of regular messages) */
  remoteIdentity: ChatIdentity | string;
  /** default CHAT_ACCEPT_TYPES; the mandatory multipart types are always added (RFC 4975 §8.6) */
  acceptTypes?: readonly string[];
  /** default CHAT_ACCEPT_WRAPPED_TYPES */
  acceptWrappedTypes?: readonly string[];
  /** wrap every message in CPIM when the peer takes it (default false: only when needed) */
  preferCpim?: boolean;
  /** a=chatroom tokens to advertise (RFC 7701 §8), e.g. ['nickname', 'private-messages']; default none */
  chatroom?: string[] | null;
  /** a=max-size to advertise, octets */
  maxSize?: number;
  /** largest incoming message taken (default 16 MiB); larger ones are refused with 413 */
  maxMessageSize?: number;
  /** is-composing timers of the local composer */
  composing?: ComposingOptions;
  /** answers a NICKNAME when this side advertises `nickname` (default: 200 for any well-formed one) */
  onNickname?: (nickname: string) => number;
  /** time and timers for is-composing (default the real clock) */
  clock?: ChatClock;
}

/** How a sent message ended (what a handle's `done` resolves to). */
export interface ChatDelivery {
  messageId: string;
  delivered: boolean;
  /** the MSRP status behind it: 200, a peer's error code, a local 408, 0 when none */
  code: number;
  /** why it was not delivered, null when delivered */
  reason: string | null;
}

/** The 'delivered' event: success REPORTs covered the message, or a positive IMDN came. */
export interface ChatDeliveredInfo {
  messageId: string;
  source: 'report' | 'imdn';
  imdn: Imdn | null;
}

/** The 'notDelivered' event. */
export interface ChatNotDeliveredInfo {
  messageId: string;
  /** `local`: refused before sending; `session`: a response, a REPORT or the session's end; `imdn`: a negative IMDN */
  source: 'local' | 'session' | 'imdn';
  code: number;
  reason: string;
  imdn: Imdn | null;
}

/** The 'composing' event (sipsimple's ChatStreamGotComposingIndication). */
export interface ChatComposingInfo {
  state: ComposingState;
  /** seconds until the peer refreshes an `active` state, when it said */
  refresh: number | null;
  lastActive: Date | null;
  contentType: string | null;
  sender: ChatIdentity;
}

/** Events of a ChatStream (the notification table is in docs/streams.md). */
export interface ChatStreamEvents extends StreamEvents {
  message: [message: IncomingChatMessage];
  delivered: [info: ChatDeliveredInfo];
  notDelivered: [info: ChatNotDeliveredInfo];
  displayed: [info: { messageId: string; imdn: Imdn }];
  composing: [info: ChatComposingInfo];
  /** a NICKNAME was answered here (this side advertises a=chatroom:nickname) */
  nickname: [info: { nickname: string; code: number }];
}

/** What sendMessage returns: the Message-ID, the first chunk once written, and a promise of the outcome. */
export class ChatMessageHandle {
  readonly messageId: string;
  /** settles once: never rejects */
  readonly done: Promise<ChatDelivery>;
  #resolve!: (d: ChatDelivery) => void;
  #sent: SentMessage | null = null;
  #first: SentChunk | null = null;
  #session: MsrpSession | null = null;
  #contentType = '';

  /** Made by ChatStream.sendMessage. */
  constructor(messageId: string) {
    this.messageId = messageId;
    this.done = new Promise((resolve) => { this.#resolve = resolve; });
  }

  /** The session's SentMessage once the message went out (progress events), else null. */
  get sent(): SentMessage | null {
    return this.#sent;
  }

  /** The head of the first chunk as written (msrplib's chunk), null until it is written. */
  get chunk(): Chunk | null {
    const first = this.#first;
    const session = this.#session;
    if (first === null || session === null) return null;
    const chunk = session.transport.makeChunk({
      transactionId: first.transactionId, messageId: this.messageId, start: first.byteRange.start, end: first.byteRange.end,
      length: first.byteRange.total, successReport: this.#sent?.successReport,
      continuationFlag: first.continuationFlag as ContinuationFlag,
    });
    // makeChunk writes Content-Type only with a body; the chunk as written had one
    chunk.setHeader('Content-Type', this.#contentType);
    return chunk;
  }

  /** @internal the message went out on `session` */
  attach(session: MsrpSession, sent: SentMessage, contentType: string): void {
    this.#session = session;
    this.#sent = sent;
    this.#contentType = contentType;
    sent.outgoing.once('chunk', (c) => { this.#first = c; });
  }

  /** @internal */
  settle(delivery: ChatDelivery): void {
    this.#resolve(delivery);
  }
}

interface Pending {
  prepared: PreparedMessage;
  handle: ChatMessageHandle | null;
}

/** IMDN requests kept for markDisplayed. */
const DISPLAY_MEMORY = 1024;
const DEFAULT_MAX_MESSAGE = 16 << 20;

/** See the module comment. */
export class ChatStream extends MsrpStreamBase<ChatStreamEvents> {
  readonly localIdentity: ChatIdentity;
  readonly remoteIdentity: ChatIdentity;
  readonly #chat: ChatStreamOptions;
  readonly #queue: Pending[] = [];
  readonly #displayRequests = new Map<string, ImdnRequest>();
  readonly #composingOut: ComposingOut;
  readonly #composingIn: ComposingIn;

  constructor(options: ChatStreamOptions) {
    super(options);
    this.#chat = options;
    this.localIdentity = toIdentity(options.localIdentity);
    this.remoteIdentity = toIdentity(options.remoteIdentity);
    const clock = options.clock ?? realClock;
    this.#composingOut = new ComposingOut(clock, (ic) => this.#sendComposing(buildIsComposing(ic)), options.composing);
    this.#composingIn = new ComposingIn(clock, (state, last) => this.emit('composing', {
      state, refresh: last?.refresh ?? null, lastActive: last?.lastActive ?? null, contentType: last?.contentType ?? null,
      sender: this.remoteIdentity,
    }));
  }

  /**
   * Sends a message (or queues it until start). Returns a handle whose `done`
   * says how it ended; `delivered`/`notDelivered` events say it too. Throws
   * MsrpChatError for bad arguments (MSRP_ERR_CHAT_ARGUMENT) or when the
   * stream is ending or ended (MSRP_ERR_CHAT_ENDED).
   */
  sendMessage(content: string | Buffer, options: ChatSendOptions = {}): ChatMessageHandle {
    this.#checkOpen();
    const messageId = options.messageId ?? randomIdent();
    if (!/^[A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}$/.test(messageId)) {
      throw new MsrpChatError('MSRP_ERR_CHAT_ARGUMENT', `Message-ID ${JSON.stringify(messageId)} is not an ident (RFC 4975 §9)`);
    }
    const prepared = prepareMessage(content, options, this.#context(), messageId);
    const handle = new ChatMessageHandle(messageId);
    this.#queue.push({ prepared, handle });
    this.#pump();
    return handle;
  }

  /**
   * The local user is (`active`) or stopped (`idle`) composing (RFC 3994):
   * `active` sends an indication when composition starts, then refreshes it
   * and goes `idle` after the idle timeout by itself; `idle` sends one when
   * active. Returns true when an indication was sent. Nothing is sent before
   * start. Throws MsrpChatError for a refresh below 60 s.
   */
  sendComposingIndication(state: ComposingState, options: { refresh?: number; lastActive?: Date } = {}): boolean {
    this.#checkOpen();
    if (state !== 'active' && state !== 'idle') throw new MsrpChatError('MSRP_ERR_CHAT_ARGUMENT', `state must be active or idle, not ${JSON.stringify(state)}`);
    if (this.state !== 'started') return false;
    try {
      return this.#composingOut.indicate(state, options);
    } catch (err) {
      throw new MsrpChatError('MSRP_ERR_CHAT_ARGUMENT', (err as Error).message);
    }
  }

  /**
   * Sends the display notification a received message asked for (RFC 5438
   * §7.2.1), once. Returns false when it asked for none or it was sent already.
   */
  markDisplayed(message: IncomingChatMessage | string): boolean {
    const id = typeof message === 'string' ? message : message.imdnMessageId;
    const request = id === null ? undefined : this.#displayRequests.get(id);
    if (request === undefined || id === null) return false;
    this.#displayRequests.delete(id);
    return this.#sendImdn(request, 'display', 'displayed');
  }

  /**
   * Asks the peer (a chat room that advertises `nickname`) for a nickname
   * (RFC 7701 §7.1). Resolves on 200; rejects with MsrpChatError
   * MSRP_ERR_CHAT_NICKNAME carrying the status (424 malformed, 425 in use or
   * reserved, 403 not allowed) or 0 when the peer does not offer nicknames.
   */
  async setNickname(nickname: string): Promise<void> {
    const session = this.session;
    if (this.state !== 'started' || session === null) throw new MsrpStreamError('MSRP_ERR_STREAM_STATE', `setNickname() needs a started stream, not ${this.state}`);
    const chunk = session.transport.makeRequest('NICKNAME');
    try {
      chunk.useNickname = nickname;
    } catch (err) {
      throw new MsrpChatError('MSRP_ERR_CHAT_ARGUMENT', `nickname: ${(err as Error).message}`);
    }
    if (!(this.remoteMedia?.chatroom ?? []).includes('nickname')) {
      throw new MsrpChatError('MSRP_ERR_CHAT_NICKNAME', 'the peer does not offer nicknames (no a=chatroom:nickname, RFC 7701 §8)');
    }
    const result = await session.sendChunk(chunk);
    if (!isSuccess(result.code)) {
      throw new MsrpChatError('MSRP_ERR_CHAT_NICKNAME', `the peer refused the nickname: ${result.code} ${result.comment ?? ''}`.trim(), result.code);
    }
  }

  protected describe(offer: MsrpMedia | null): MediaParts {
    const o = this.#chat;
    return {
      acceptTypes: withMandatoryTypes(o.acceptTypes ?? CHAT_ACCEPT_TYPES),
      acceptWrappedTypes: [...(o.acceptWrappedTypes ?? CHAT_ACCEPT_WRAPPED_TYPES)],
      chatroom: o.chatroom ?? null,
      maxSize: o.maxSize ?? null,
      direction: offer === null ? 'sendrecv' : answerDirection(offer.direction),
    };
  }

  protected override transportOptions(parts: MediaParts): { acceptTypes: string[]; methods: string[] } {
    // NICKNAME is taken so it can be answered 403 or 424 as RFC 7701 §7.1 says, not 501
    return { acceptTypes: parts.acceptTypes, methods: ['SEND', 'REPORT', 'NICKNAME'] };
  }

  protected override sessionOptions(): MsrpSessionOptions {
    return {
      acceptTypes: this.localMedia?.acceptTypes, successReport: 'yes', failureReport: 'yes',
      screenRequest: (chunk, body) => this.#screen(chunk, body),
    };
  }

  protected onStart(session: MsrpSession): void {
    session.on('message', (m) => this.#receive(m.body, m.contentType, m.chunk, m.messageId));
    session.on('incoming', (stream) => this.#gather(stream));
    session.on('request', (chunk) => this.#onRequest(session, chunk));
    session.on('drain', () => this.#pump());
    this.#pump();
  }

  protected override onEnding(): void {
    this.#composingOut.stop();
    this.#composingIn.stop();
    this.#dropQueue('the stream ended before the message could be sent');
  }

  protected override onEnded(): void {
    this.onEnding();
  }

  #checkOpen(): void {
    const s = this.state;
    if (s === 'ending' || s === 'ended') throw new MsrpChatError('MSRP_ERR_CHAT_ENDED', `the chat stream is ${s}`);
  }

  #context(): ChatContext {
    return {
      local: this.localIdentity, remote: this.remoteIdentity,
      remoteIsFocus: this.remoteMedia?.chatroom != null, localIsFocus: this.#chat.chatroom != null,
    };
  }

  #dropQueue(reason: string): void {
    for (const { prepared, handle } of this.#queue.splice(0)) this.#notDelivered(prepared.messageId, handle, 'local', 0, reason, null);
  }

  /** Sends what is queued while the session takes more. */
  #pump(): void {
    const session = this.session;
    if (this.state !== 'started' || session === null) return;
    while (this.#queue.length > 0 && session.writable) this.#dispatch(session, this.#queue.shift() as Pending);
  }

  #dispatch(session: MsrpSession, { prepared, handle }: Pending): void {
    const peer = this.remoteMedia as MsrpMedia;
    const local = this.localMedia as MsrpMedia;
    const id = prepared.messageId;
    const refuse = (code: number, reason: string) => this.#notDelivered(id, handle, 'local', code, reason, null);
    if (!canSend(local.direction) || !canReceive(peer.direction)) {
      return refuse(0, `the negotiated directions (local ${local.direction}, remote ${peer.direction}) do not let this side send (RFC 3264 §6.1)`);
    }
    if (prepared.private && !(peer.chatroom ?? []).includes('private-messages')) {
      return refuse(428, 'the peer does not take private messages (no a=chatroom:private-messages, RFC 7701 §8)');
    }
    const mode = deliveryMode(peer, prepared.contentType, prepared.mustWrap ? 'must' : this.#chat.preferCpim ? 'prefer' : 'no');
    if (mode === null) {
      const how = prepared.mustWrap ? 'wrapped in Message/CPIM, which its meta-data needs' : 'plain or wrapped in Message/CPIM';
      return refuse(415, `the peer does not take ${prepared.contentType} ${how} (RFC 4975 §8.6)`);
    }
    const { body, contentType } = messageBody(prepared, mode === 'cpim');
    if (!fitsMaxSize(peer, body.length)) return refuse(413, `${body.length} octets is over the peer's a=max-size of ${peer.maxSize} (RFC 4975 §8.6)`);
    let sent: SentMessage;
    try {
      sent = session.sendMessage(body, contentType, prepared.composing ? { messageId: id, successReport: 'no' } : { messageId: id });
    } catch (err) {
      return this.#notDelivered(id, handle, 'session', 0, (err as Error).message, null);
    }
    if (handle === null) return; // an is-composing indication: nobody waits for it
    this.#composingOut.messageSent();
    handle.attach(session, sent, contentType);
    sent.done.then((outcome) => {
      if (outcome.status === 'delivered') {
        handle.settle({ messageId: id, delivered: true, code: outcome.code, reason: null });
        this.emit('delivered', { messageId: id, source: 'report', imdn: null });
      } else {
        const reason = outcome.comment ?? (outcome.status === 'unconfirmed' ? 'no success report came before the session ended' : outcome.status);
        this.#notDelivered(id, handle, 'session', outcome.code, reason, null);
      }
    }, (err: Error) => this.#notDelivered(id, handle, 'session', 0, err.message, null));
  }

  #notDelivered(messageId: string, handle: ChatMessageHandle | null, source: ChatNotDeliveredInfo['source'], code: number,
    reason: string, imdn: Imdn | null): void {
    if (handle === null) return;
    handle.settle({ messageId, delivered: false, code, reason });
    this.emit('notDelivered', { messageId, source, code, reason, imdn });
  }

  #sendComposing(document: string): void {
    if (this.state !== 'started') return;
    const prepared = prepareMessage(document, { contentType: ISCOMPOSING_CONTENT_TYPE }, this.#context(), randomIdent());
    const session = this.session as MsrpSession;
    if (session.writable) this.#dispatch(session, { prepared, handle: null });
  }

  /** A large message: gathered in memory up to maxMessageSize, else refused (413). */
  #gather(stream: IncomingStream): void {
    void gatherIncoming(stream, this.#chat.maxMessageSize ?? DEFAULT_MAX_MESSAGE).then((body) => {
      if (body !== null) this.#receive(body, stream.contentType, stream.chunk, stream.messageId);
      else this.logger.debug({ messageId: stream.messageId }, 'msrp chat message incomplete or too large');
    });
  }

  #receive(body: Buffer, contentType: string, chunk: Chunk, messageId: string): void {
    let received: ReturnType<typeof readIncoming>;
    try {
      received = readIncoming(body, contentType, chunk, messageId, this.#context());
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, messageId }, 'msrp chat message dropped: malformed body');
      return;
    }
    if (received.kind === 'composing') {
      this.#composingIn.indication(received.composing);
      return;
    }
    if (received.kind === 'imdn') {
      this.#onImdn(received.imdn);
      return;
    }
    const message = received.message;
    // a second line behind #screen, for a wrapper whose head the first chunk did not hold whole: its
    // chunks were answered 200 already, so it can only be dropped
    const refusal = message.cpimHeaders.length > 0 ? this.#refusal(message.contentType, message.private) : null;
    if (refusal !== null) {
      this.logger.warn({ messageId, contentType: message.contentType, code: refusal.code }, `msrp chat message dropped: ${refusal.comment}`);
      return;
    }
    this.#composingIn.messageReceived();
    this.emit('message', message);
    const request = received.imdnRequest;
    if (request === null) return;
    if (wantsNotification(request, 'delivered')) this.#sendImdn(request, 'delivery', 'delivered');
    if (wantsNotification(request, 'displayed')) {
      if (this.#displayRequests.size >= DISPLAY_MEMORY) this.#displayRequests.delete(this.#displayRequests.keys().next().value as string);
      this.#displayRequests.set(request.messageId, request);
    }
  }

  /**
   * The session's screenRequest hook: the CPIM head at the start of a
   * message's first chunk decides 415 or 428 before the chunk is answered
   * (null lets it in, and #receive checks the whole body).
   */
  #screen(chunk: Chunk, body: Buffer): ScreenVerdict | null {
    if (this.localMedia === null) return null;
    const head = readIncomingHead(body, chunk.getHeader('Content-Type') ?? '', this.#context());
    return head === null ? null : this.#refusal(head.contentType, head.private);
  }

  /**
   * Why this side does not take a wrapped message: a type in neither its
   * accept-types nor its accept-wrapped-types (415, RFC 4975 §8.6), or a
   * private message without a=chatroom:private-messages (428, RFC 7701 §6.2).
   */
  #refusal(contentType: string, isPrivate: boolean): ScreenVerdict | null {
    const local = this.localMedia as MsrpMedia;
    if (!acceptsType([...local.acceptTypes, ...local.acceptWrappedTypes], contentType)) {
      return { code: 415, comment: `${contentType} is not in accept-types or accept-wrapped-types` };
    }
    if (isPrivate && !(this.#chat.chatroom ?? []).includes('private-messages')) {
      return { code: 428, comment: 'private messages are not taken here (no a=chatroom:private-messages)' };
    }
    return null;
  }

  #onImdn(imdn: Imdn): void {
    const messageId = imdn.messageId;
    if (imdn.notification === 'display' && imdn.status === 'displayed') this.emit('displayed', { messageId, imdn });
    else if (imdn.notification === 'delivery' && imdn.status === 'delivered') this.emit('delivered', { messageId, source: 'imdn', imdn });
    else if (imdn.notification !== null) {
      this.emit('notDelivered', { messageId, source: 'imdn', code: 0, reason: `IMDN ${imdn.notification} ${imdn.status ?? 'without status'}`, imdn });
    }
  }

  /** Answers an IMDN request (RFC 5438 §7.2.1) when the peer takes the answer wrapped. */
  #sendImdn(request: ImdnRequest, notification: 'delivery' | 'display', status: string): boolean {
    const session = this.session;
    if (this.state !== 'started' || session === null || !session.writable) return false;
    if (deliveryMode(this.remoteMedia as MsrpMedia, 'message/imdn+xml', 'must') === null) return false;
    const body = buildImdnResponse(request, { notification, status, from: this.localIdentity });
    try {
      session.sendMessage(body, 'message/cpim', { successReport: 'no' });
      return true;
    } catch {
      return false;
    }
  }

  #onRequest(session: MsrpSession, chunk: Chunk): void {
    if (chunk.method !== 'NICKNAME') {
      session.respond(chunk, 501);
      return;
    }
    if (!(this.#chat.chatroom ?? []).includes('nickname')) {
      session.respond(chunk, 403, 'nicknames are not offered here');
      return;
    }
    let nickname: string | undefined;
    try {
      nickname = chunk.useNickname;
    } catch {
      session.respond(chunk, 424);
      return;
    }
    if (nickname === undefined) {
      session.respond(chunk, 424, 'no Use-Nickname');
      return;
    }
    const code = this.#chat.onNickname?.(nickname) ?? 200;
    session.respond(chunk, code);
    this.emit('nickname', { nickname, code });
  }
}
