/**
 * Instant Message Disposition Notification (RFC 5438) over MSRP, as the
 * OMA/GSMA RCS profile uses it (RFC 5438 §13 leaves MSRP out): the IM carries
 * the CPIM `imdn` namespace headers (Message-ID, Disposition-Notification)
 * and the DateTime RFC 5438 §7.1.1.2 makes mandatory; the answer is a CPIM
 * message carrying a message/imdn+xml document with Content-Disposition:
 * notification (§7.2.1). No IMDN is ever requested or sent for an IMDN (§7.2.1).
 */
import { createParseError, type MsrpParseError } from '../errors.ts';
import { parseContentDisposition, parseContentType } from '../protocol/headers.ts';
import { randomIdent } from '../protocol/chunk.ts';
import {
  CPIM_HEADERS_NS, type CpimAddress, type CpimHeader, type CpimMessage, type CpimNamespace, cpimHeaders, isCpimToken, wrapCpim,
} from './cpim.ts';
import { mimeHeader, trimWs } from './mime.ts';
import { childElement, escapeXml, parseXml, type XmlElement } from './xml.ts';

/** The CPIM header namespace of RFC 5438 §6.1. */
export const IMDN_NS = 'urn:ietf:params:imdn';

/** The XML namespace of the IMDN document (RFC 5438 §11.1). */
export const IMDN_XML_NS = 'urn:ietf:params:xml:ns:imdn';

/** The media type of the IMDN document (RFC 5438 §11.1.8). */
export const IMDN_CONTENT_TYPE = 'message/imdn+xml';

/** Disposition-Notification values (RFC 5438 §7.1.1.3); others may appear and are kept. */
export type DispositionRequest = 'positive-delivery' | 'negative-delivery' | 'processing' | 'display';

/** The three notification types (RFC 5438 §5). */
export type NotificationType = 'delivery' | 'display' | 'processing';

/** Status values allowed per notification type (RFC 5438 §11.1.7). */
export const IMDN_STATUSES: Readonly<Record<NotificationType, readonly string[]>> = {
  delivery: ['delivered', 'failed', 'forbidden', 'error'],
  display: ['displayed', 'forbidden', 'error'],
  processing: ['processed', 'stored', 'forbidden', 'error'],
};

/** An IMDN document (RFC 5438 §11.1). */
export interface Imdn {
  /** the Message-ID of the IM this is about */
  messageId: string;
  /** the DateTime of that IM, as it was written */
  datetime: string;
  recipientUri: string | null;
  originalRecipientUri: string | null;
  subject: string | null;
  /** null for a document with none of the three (the schema allows it) */
  notification: NotificationType | null;
  /** the <status> child's name, e.g. `delivered`; null when absent */
  status: string | null;
}

/** What an IM asked for, read from its CPIM headers. */
export interface ImdnRequest {
  /** `imdn.Message-ID` */
  messageId: string;
  /** the DateTime header as written (the IMDN echoes it, §11.1.2) */
  dateTime: string;
  /** Disposition-Notification values, lower-cased, parameters dropped */
  dispositions: string[];
  /** the IM's sender (From), where the IMDN goes when there is no IMDN-Record-Route */
  from: CpimAddress | null;
  /** the IM's To URI, for <recipient-uri> */
  recipientUri: string | null;
  /** Original-To, for <original-recipient-uri> */
  originalRecipientUri: string | null;
  /** IMDN-Record-Route values in order, to copy into IMDN-Route (§7.2.1) */
  recordRoute: string[];
}

function imdnError(message: string): MsrpParseError {
  return createParseError('MSRP_ERR_XML', `IMDN: ${message}`, 400);
}

/** A fresh IMDN Message-ID: 80 random bits (RFC 5438 §6.3 recommends at least 64), a CPIM Token. */
export function newImdnMessageId(): string {
  return randomIdent();
}

// ---------------------------------------------------------------------------
// Requesting (the IM sender)

/**
 * The CPIM namespace and headers that ask for notifications (RFC 5438
 * §7.1.1): put them in `wrapCpim({ namespaces, headers, dateTime })`; the
 * DateTime is mandatory when asking (§7.1.1.2) and is the caller's.
 */
export function imdnRequestHeaders(messageId: string, dispositions: readonly DispositionRequest[] | readonly string[],
  prefix = 'imdn'): { namespaces: CpimNamespace[]; headers: CpimHeader[] } {
  if (!isCpimToken(messageId)) throw new RangeError(`IMDN Message-ID ${JSON.stringify(messageId)} is not a Token`);
  const headers: CpimHeader[] = [{ name: `${prefix}.Message-ID`, value: messageId }];
  if (dispositions.length > 0) headers.push({ name: `${prefix}.Disposition-Notification`, value: dispositions.join(', ') });
  return { namespaces: [{ prefix, uri: IMDN_NS }], headers };
}

/** True when a CPIM message is itself an IMDN: its content is message/imdn+xml or disposed as `notification`. */
export function isImdn(message: Pick<CpimMessage, 'contentType' | 'contentHeaders'>): boolean {
  try {
    if (message.contentType !== null) {
      const ct = parseContentType(message.contentType);
      if (`${ct.type}/${ct.subtype}` === IMDN_CONTENT_TYPE) return true;
    }
    const disposition = mimeHeader(message.contentHeaders, 'Content-Disposition');
    return disposition !== null && parseContentDisposition(disposition).type === 'notification';
  } catch {
    return false;
  }
}

/**
 * What a received IM asks for, or null when it asks for nothing: no
 * Disposition-Notification or an empty one (§7.1.1.3), no Message-ID or
 * DateTime to answer with, or an IMDN, for which no IMDN is sent (§7.2.1).
 */
export function readImdnRequest(message: CpimMessage): ImdnRequest | null {
  if (isImdn(message)) return null;
  const imdn = (name: string) => cpimHeaders(message.headers, IMDN_NS, name);
  const messageId = imdn('Message-ID')[0]?.value;
  const dateTime = cpimHeaders(message.headers, CPIM_HEADERS_NS, 'DateTime')[0]?.value;
  const dispositions = imdn('Disposition-Notification')
    .flatMap((h) => h.value.split(','))
    .map((v) => trimWs(v.split(';')[0]).toLowerCase())
    .filter((v) => v !== '');
  if (messageId === undefined || dateTime === undefined || dispositions.length === 0) return null;
  const originalTo = imdn('Original-To')[0];
  return {
    messageId: trimWs(messageId),
    dateTime: trimWs(dateTime),
    dispositions,
    from: message.from,
    recipientUri: message.to[0]?.uri ?? null,
    originalRecipientUri: originalTo === undefined ? null : angleUri(originalTo.value),
    recordRoute: imdn('IMDN-Record-Route').map((h) => h.value),
  };
}

function angleUri(value: string): string {
  const v = trimWs(value);
  const lt = v.lastIndexOf('<');
  return lt >= 0 && v.endsWith('>') ? v.slice(lt + 1, -1) : v;
}

/**
 * Whether the request wants a notification for an outcome: `delivered`
 * needs positive-delivery, `failed` negative-delivery, `displayed` display
 * (RFC 5438 §7.1.1.3; the recipient never sends processing, §7.2.1).
 */
export function wantsNotification(request: ImdnRequest, outcome: 'delivered' | 'failed' | 'displayed'): boolean {
  const want = outcome === 'delivered' ? 'positive-delivery' : outcome === 'failed' ? 'negative-delivery' : 'display';
  return request.dispositions.includes(want);
}

// ---------------------------------------------------------------------------
// The document

/** The message/imdn+xml document (RFC 5438 §11.1.9 element order). Throws RangeError for a status the type does not allow. */
export function buildImdn(imdn: Imdn): string {
  if (imdn.notification !== null && (imdn.status === null || !IMDN_STATUSES[imdn.notification].includes(imdn.status))) {
    throw new RangeError(`status ${JSON.stringify(imdn.status)} is not one of ${IMDN_STATUSES[imdn.notification].join(', ')} for ${imdn.notification}`);
  }
  const el = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>\r\n`;
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="${IMDN_XML_NS}">\r\n`;
  xml += el('message-id', imdn.messageId) + el('datetime', imdn.datetime);
  // the schema groups recipient-uri, original-recipient-uri and subject in one optional block
  const recipient = imdn.recipientUri ?? imdn.originalRecipientUri;
  if (recipient !== null) {
    xml += el('recipient-uri', recipient) + el('original-recipient-uri', imdn.originalRecipientUri ?? recipient);
    if (imdn.subject !== null) xml += el('subject', imdn.subject);
  }
  if (imdn.notification !== null) xml += `<${imdn.notification}-notification><status><${imdn.status}/></status></${imdn.notification}-notification>\r\n`;
  return `${xml}</imdn>\r\n`;
}

/**
 * Parses a message/imdn+xml document. Elements of other namespaces are
 * ignored (extensions, §11.1); a document without the namespace is tolerated.
 * Throws MsrpParseError (MSRP_ERR_XML) when <message-id> or <datetime> is missing.
 */
export function parseImdn(body: Buffer | string): Imdn {
  const root = parseXml(body);
  if (root.localName !== 'imdn' || (root.namespace !== IMDN_XML_NS && root.namespace !== null)) {
    throw imdnError(`root element is <${root.name}> in ${root.namespace ?? 'no namespace'}`);
  }
  const ns = root.namespace;
  const text = (name: string) => childElement(root, ns, name)?.text.trim() ?? null;
  const messageId = text('message-id');
  const datetime = text('datetime');
  if (messageId === null || messageId === '') throw imdnError('no <message-id>');
  if (datetime === null) throw imdnError('no <datetime>');
  let notification: NotificationType | null = null;
  let status: string | null = null;
  for (const type of ['delivery', 'display', 'processing'] as const) {
    const n: XmlElement | undefined = childElement(root, ns, `${type}-notification`);
    if (n === undefined) continue;
    notification = type;
    status = childElement(n, ns, 'status')?.children.find((c) => c.namespace === ns)?.localName ?? null;
    break;
  }
  return {
    messageId, datetime, recipientUri: text('recipient-uri'), originalRecipientUri: text('original-recipient-uri'),
    subject: text('subject'), notification, status,
  };
}

// ---------------------------------------------------------------------------
// Answering (the IM recipient)

/** What `buildImdnResponse` needs beyond the request. */
export interface ImdnResponseOptions {
  notification: 'delivery' | 'display';
  status: string;
  /** this side's address (the IMDN's From) */
  from: CpimAddress | string;
  /** the IMDN's own Message-ID (§7.2.1: different from the IM's); fresh by default */
  messageId?: string;
  /** when the IMDN is sent; now by default */
  dateTime?: Date;
  /** namespace prefix for the imdn headers; `imdn` by default */
  prefix?: string;
}

/**
 * The CPIM body (content type message/cpim) answering an IM's request (RFC
 * 5438 §7.2.1): To the IM's From, IMDN-Route from its IMDN-Record-Route, a
 * fresh imdn.Message-ID, DateTime, no Disposition-Notification, and the
 * document with Content-Disposition: notification.
 */
export function buildImdnResponse(request: ImdnRequest, options: ImdnResponseOptions): Buffer {
  const prefix = options.prefix ?? 'imdn';
  const { namespaces, headers } = imdnRequestHeaders(options.messageId ?? newImdnMessageId(), [], prefix);
  for (const route of request.recordRoute) headers.push({ name: `${prefix}.IMDN-Route`, value: route });
  const document = buildImdn({
    messageId: request.messageId,
    datetime: request.dateTime,
    recipientUri: request.recipientUri,
    originalRecipientUri: request.originalRecipientUri,
    subject: null,
    notification: options.notification,
    status: options.status,
  });
  return wrapCpim(document, {
    from: options.from,
    to: request.from === null ? [] : [request.from],
    namespaces,
    dateTime: options.dateTime ?? new Date(),
    headers,
    contentType: `${IMDN_CONTENT_TYPE};charset=utf-8`,
    contentHeaders: [{ name: 'Content-Disposition', value: 'notification' }],
  });
}

/** The IMDN document inside a received CPIM message, or null when the message is no IMDN. */
export function readImdn(message: CpimMessage): Imdn | null {
  return isImdn(message) ? parseImdn(message.content) : null;
}
