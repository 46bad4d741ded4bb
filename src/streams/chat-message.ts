/**
 * What a ChatStream does to a message on its way out and on its way in, as
 * pure functions (the stream owns the sockets, queues and timers).
 *
 * Out: `prepareMessage` checks the caller's arguments (bad ones throw
 * MsrpChatError at the call) and writes the Message/CPIM header block at
 * once, so wrapping can never fail later; the stream decides plain or
 * wrapped once it knows the peer's accept-types (RFC 4975 §8.6) and joins
 * the header block to the content before the session chunks it. CPIM is
 * needed when meta-data has to travel (other recipients, a timestamp, a
 * subject, IMDN requests, extra CPIM headers: RFC 3862 §3) and used when the
 * peer takes the type only wrapped, or when preferred.
 *
 * In: `readIncoming` unwraps CPIM (tolerating the RFC 4975 §11.4 example
 * without the blank line), tells IMDNs (RFC 5438) and is-composing
 * documents (RFC 3994) apart from messages, splits multipart bodies (RFC
 * 4975 §7.3 makes multipart/mixed and /alternative mandatory), and decodes
 * text by its charset (UTF-8 by default) from the whole reassembled body,
 * so a character cut by a chunk border decodes whole; binary types stay
 * Buffers. `readIncomingHead` reads the same wrapper from the start of a
 * message's first chunk, for the stream to refuse it before it is answered.
 */
import { MsrpChatError } from '../errors.ts';
import type { Chunk } from '../protocol/chunk.ts';
import { type ContentType, parseContentType } from '../protocol/headers.ts';
import {
  CPIM_CONTENT_TYPE, type CpimAddress, type CpimHead, type CpimHeader, type CpimNamespace, type CpimWrapOptions, readCpimHead, unwrapCpim,
  wrapCpim,
} from './cpim.ts';
import {
  type DispositionRequest, type Imdn, type ImdnRequest, imdnRequestHeaders, isImdn, readImdn, readImdnRequest,
} from './imdn.ts';
import { ISCOMPOSING_CONTENT_TYPE, type IsComposing, parseIsComposing } from './is-composing.ts';
import type { MimeHeader } from './mime.ts';
import { isMultipart, splitMultipart } from './multipart.ts';

/** A chat participant: a URI and an optional display name (sipsimple's ChatIdentity). */
export interface ChatIdentity {
  uri: string;
  displayName: string | null;
}

/** sipsimple's default accept-types for chat (the mandatory multipart types are added to them). */
export const CHAT_ACCEPT_TYPES: readonly string[] = ['message/cpim', 'text/*', 'image/*', ISCOMPOSING_CONTENT_TYPE];

/** sipsimple's default accept-wrapped-types, plus message/imdn+xml so IMDNs (RFC 5438) can arrive. */
export const CHAT_ACCEPT_WRAPPED_TYPES: readonly string[] = ['text/*', 'image/*', ISCOMPOSING_CONTENT_TYPE, 'message/imdn+xml'];

/** IMDN notifications a sender can ask for. */
export type ChatNotification = 'delivery' | 'display';

/** Options of ChatStream.sendMessage. */
export interface ChatSendOptions {
  /** default text/plain */
  contentType?: string;
  /** CPIM To (RFC 3862 §4.2); one URI other than the remote identity makes a private message (RFC 7701 §6.2) */
  recipients?: Array<ChatIdentity | string>;
  /** CPIM DateTime; set to now when IMDNs are asked for (RFC 5438 §7.1.1.2 makes it mandatory) */
  timestamp?: Date;
  /** CPIM Subject */
  subject?: string;
  /** IMDNs to ask for (RFC 5438 §7.1.1.3): `delivery` (positive and negative) and/or `display` */
  notifications?: ChatNotification[];
  /** more CPIM headers, values as on the wire, with their namespaces */
  cpimHeaders?: CpimHeader[];
  cpimNamespaces?: CpimNamespace[];
  /** default: a fresh one; also the IMDN Message-ID when notifications are asked for */
  messageId?: string;
}

/** A message checked and ready to go once the peer is known. */
export interface PreparedMessage {
  messageId: string;
  contentType: string;
  content: Buffer;
  /** the CPIM header block (message and MIME headers, both blank lines): the wrapped body is this + content */
  cpimHead: Buffer;
  /** CPIM is required by the meta-data */
  mustWrap: boolean;
  /** a private message (RFC 7701 §6.2) */
  private: boolean;
  /** an is-composing indication (never wrapped unless needed, never notified) */
  composing: boolean;
}

/** One part of a received multipart message. */
export interface ChatMessagePart {
  contentType: string;
  content: string | Buffer;
  headers: MimeHeader[];
}

/** A received message (the ChatStream 'message' event, sipsimple's ChatStreamGotMessage). */
export interface IncomingChatMessage {
  /** the MSRP Message-ID */
  messageId: string;
  /** the head of the message's first chunk */
  message: Chunk;
  /** the content (inside the CPIM wrapper): a string for text types, decoded by charset; a Buffer otherwise */
  content: string | Buffer;
  /** the content's type (inside the CPIM wrapper) */
  contentType: string;
  /** the CPIM message headers, [] for a message that was not wrapped */
  cpimHeaders: CpimHeader[];
  sender: ChatIdentity;
  recipients: ChatIdentity[];
  /** CPIM DateTime, else the time it arrived */
  timestamp: Date;
  subject: string | null;
  /** a private message (RFC 7701 §6.2) */
  private: boolean;
  /** the parts of a multipart message, else null */
  parts: ChatMessagePart[] | null;
  /** the IMDN Message-ID when the sender asked for notifications (RFC 5438 §7.1.1.1), else null */
  imdnMessageId: string | null;
  /** Disposition-Notification values asked for, [] when none */
  notifications: string[];
}

/** What a received body turned out to be. */
export type ReceivedChat =
  | { kind: 'message'; message: IncomingChatMessage; imdnRequest: ImdnRequest | null }
  | { kind: 'composing'; composing: IsComposing; sender: ChatIdentity }
  | { kind: 'imdn'; imdn: Imdn; sender: ChatIdentity };

/** The participants and policy a message is read or written against. */
export interface ChatContext {
  local: ChatIdentity;
  remote: ChatIdentity;
  /** the peer advertised a=chatroom: it is a conference focus (RFC 7701 §8) */
  remoteIsFocus: boolean;
  /** this side advertised a=chatroom */
  localIsFocus: boolean;
}

function argumentError(message: string): MsrpChatError {
  return new MsrpChatError('MSRP_ERR_CHAT_ARGUMENT', message);
}

/** A ChatIdentity from a URI string or an address. */
export function toIdentity(value: ChatIdentity | CpimAddress | string): ChatIdentity {
  if (typeof value === 'string') return { uri: value, displayName: null };
  return { uri: value.uri, displayName: value.displayName ?? null };
}

function typeOf(contentType: string): ContentType | null {
  try {
    return parseContentType(contentType);
  } catch {
    return null;
  }
}

/** type/subtype, lower-cased. */
function essence(ct: ContentType): string {
  return `${ct.type}/${ct.subtype}`.toLowerCase();
}

/**
 * Checks a sendMessage call and builds its CPIM header block. Throws
 * MsrpChatError (MSRP_ERR_CHAT_ARGUMENT) for content that is neither a
 * string nor a Buffer, a malformed content type, recipients, timestamp or
 * subject the CPIM syntax cannot carry, or an unknown notification.
 */
export function prepareMessage(content: unknown, options: ChatSendOptions, context: ChatContext,
  messageId: string): PreparedMessage {
  if (typeof content !== 'string' && !(content instanceof Uint8Array)) throw argumentError('content must be a string or a Buffer');
  const contentType = options.contentType ?? 'text/plain';
  const ct = typeof contentType === 'string' ? typeOf(contentType) : null;
  if (ct === null) throw argumentError(`content type ${JSON.stringify(contentType)} is not a media type`);
  if (options.timestamp !== undefined && !(options.timestamp instanceof Date && Number.isFinite(options.timestamp.getTime()))) {
    throw argumentError('timestamp must be a valid Date');
  }
  const notifications = options.notifications ?? [];
  for (const n of notifications) if (n !== 'delivery' && n !== 'display') throw argumentError(`unknown notification ${JSON.stringify(n)}`);
  const recipients = (options.recipients ?? []).map(toIdentity);
  const composing = essence(ct) === ISCOMPOSING_CONTENT_TYPE;
  if (composing && notifications.length > 0) throw argumentError('no IMDN is asked for an is-composing indication');
  // RFC 7701 §6.2: one recipient other than the peer (the focus) makes a private message
  const isPrivate = recipients.length === 1 && recipients[0].uri !== context.remote.uri;
  if (recipients.length > 1 && context.remoteIsFocus) {
    throw argumentError('a private message has one recipient (RFC 7701 §6.2: several To headers are refused with 403)');
  }
  const imdn = notifications.length > 0;
  const mustWrap = recipients.length > 0 || options.timestamp !== undefined || options.subject !== undefined || imdn
    || (options.cpimHeaders?.length ?? 0) > 0;
  const dispositions: DispositionRequest[] = [];
  if (notifications.includes('delivery')) dispositions.push('positive-delivery', 'negative-delivery');
  if (notifications.includes('display')) dispositions.push('display');
  const request = imdn ? imdnRequestHeaders(messageId, dispositions) : { namespaces: [], headers: [] };
  // regular messages go To the peer, or To this side when it is the chat room (RFC 7701 §6.1)
  const to = recipients.length > 0 ? recipients : [context.localIsFocus ? context.local : context.remote];
  const wrap: CpimWrapOptions = {
    contentType,
    from: { uri: context.local.uri, displayName: context.local.displayName },
    to: to.map((r) => ({ uri: r.uri, displayName: r.displayName })),
    dateTime: options.timestamp ?? (imdn ? new Date() : null),
    subject: options.subject,
    namespaces: [...request.namespaces, ...(options.cpimNamespaces ?? [])],
    headers: [...request.headers, ...(options.cpimHeaders ?? [])],
  };
  let cpimHead: Buffer;
  try {
    cpimHead = wrapCpim(Buffer.alloc(0), wrap);
  } catch (err) {
    throw argumentError(`cannot be written as Message/CPIM: ${(err as Error).message}`);
  }
  const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  return { messageId, contentType, content: body, cpimHead, mustWrap, private: isPrivate, composing };
}

/** The body and Content-Type to send, plain or wrapped. */
export function messageBody(message: PreparedMessage, wrapped: boolean): { body: Buffer; contentType: string } {
  if (!wrapped) return { body: message.content, contentType: message.contentType };
  return { body: Buffer.concat([message.cpimHead, message.content]), contentType: CPIM_CONTENT_TYPE };
}

/** True for types delivered as text: text/*, XML and JSON. */
export function isTextType(ct: ContentType): boolean {
  const sub = ct.subtype.toLowerCase();
  return ct.type.toLowerCase() === 'text' || sub.endsWith('+xml') || sub.endsWith('+json')
    || (ct.type.toLowerCase() === 'application' && (sub === 'xml' || sub === 'json'));
}

/** Text content decoded by its charset (UTF-8 when absent or unknown to this runtime); other content as it is. */
export function decodeContent(body: Buffer, contentType: string): string | Buffer {
  const ct = typeOf(contentType);
  if (ct === null || !isTextType(ct)) return body;
  const charset = ct.params.find(([name]) => name.toLowerCase() === 'charset')?.[1] ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(body);
}

/**
 * Reads a received body (the whole message, reassembled). Throws
 * MsrpParseError for a malformed CPIM wrapper, is-composing or IMDN document
 * or multipart body.
 */
export function readIncoming(body: Buffer, contentType: string, chunk: Chunk, messageId: string,
  context: ChatContext): ReceivedChat {
  const outer = typeOf(contentType);
  let content = body;
  let innerType = contentType;
  let cpimHeaders: CpimHeader[] = [];
  let sender = context.remote;
  let recipients = [context.local];
  let timestamp = new Date();
  let subject: string | null = null;
  let imdnRequest: ImdnRequest | null = null;
  if (outer !== null && essence(outer) === CPIM_CONTENT_TYPE) {
    const cpim = unwrapCpim(body);
    if (cpim.from !== null) sender = toIdentity(cpim.from);
    const imdn = readImdn(cpim);
    if (imdn !== null) return { kind: 'imdn', imdn, sender };
    content = cpim.content;
    innerType = cpim.contentType ?? 'text/plain';
    cpimHeaders = cpim.headers;
    if (cpim.to.length > 0) recipients = cpim.to.map(toIdentity);
    if (cpim.dateTime !== null) timestamp = cpim.dateTime.date;
    subject = cpim.subject[0]?.text ?? null;
    imdnRequest = readImdnRequest(cpim);
  }
  const inner = typeOf(innerType);
  if (inner !== null && essence(inner) === ISCOMPOSING_CONTENT_TYPE) {
    return { kind: 'composing', composing: parseIsComposing(content), sender };
  }
  let parts: ChatMessagePart[] | null = null;
  if (inner !== null && isMultipart(inner)) {
    parts = splitMultipart(content, inner).map((p) => ({ contentType: p.contentType, content: decodeContent(p.body, p.contentType), headers: p.headers }));
  }
  const isPrivate = cpimHeaders.length > 0 && isPrivateTo(recipients, context);
  return {
    kind: 'message',
    imdnRequest,
    message: {
      messageId, message: chunk, content: decodeContent(content, innerType), contentType: innerType, cpimHeaders, sender,
      recipients, timestamp, subject, private: isPrivate, parts, imdnMessageId: imdnRequest?.messageId ?? null,
      notifications: imdnRequest?.dispositions ?? [],
    },
  };
}

/** RFC 7701 §6.2: To names one participant who is neither the focus nor (on the focus) the focus itself. */
function isPrivateTo(recipients: ReadonlyArray<{ uri: string }>, context: ChatContext): boolean {
  if (recipients.length !== 1) return false;
  const single = recipients[0].uri;
  return (context.remoteIsFocus && single !== context.remote.uri) || (context.localIsFocus && single !== context.local.uri);
}

/** What the start of a wrapped message says before the rest of it arrives (see readIncomingHead). */
export interface IncomingHead {
  /** the content's type inside the CPIM wrapper */
  contentType: string;
  /** a private message (RFC 7701 §6.2), as readIncoming would mark it */
  private: boolean;
}

/**
 * Reads the CPIM header blocks at the start of a received message/cpim body
 * (the first chunk's body: RFC 3862 §2 puts them first), so the stream can
 * refuse a message before the session answers it. Null for anything
 * readIncoming does not check against the local media: a body that is not
 * wrapped or wraps no CPIM header, an IMDN or an is-composing document; and
 * for a head that is cut or malformed (readIncoming, on the whole body,
 * decides then).
 */
export function readIncomingHead(start: Buffer, contentType: string, context: ChatContext): IncomingHead | null {
  const outer = typeOf(contentType);
  if (outer === null || essence(outer) !== CPIM_CONTENT_TYPE) return null;
  let head: CpimHead | null;
  try {
    head = readCpimHead(start);
  } catch {
    return null;
  }
  if (head === null || head.headers.length === 0 || isImdn(head)) return null;
  const innerType = head.contentType ?? 'text/plain';
  const inner = typeOf(innerType);
  if (inner !== null && essence(inner) === ISCOMPOSING_CONTENT_TYPE) return null;
  return { contentType: innerType, private: isPrivateTo(head.to.length > 0 ? head.to : [context.local], context) };
}
