/**
 * SDP for MSRP media (RFC 4975 §8, RFC 4976 §11, RFC 5547 §6, RFC 6135,
 * RFC 7701 §8, RFC 8122 §5): an `MsrpMedia` value, the media section it is
 * written as, and parsing of received SDP (whole descriptions or the c=/m=/a=
 * fragments RFCs print). Offer/answer rules live in sdp-negotiation.ts.
 *
 * sdp-transform splits the description into sessions and media and parses
 * and writes the m=, c=, i=, o= lines. The a= lines are read here, from the
 * text, because sdp-transform keeps one `a=fingerprint` per level (RFC 8122
 * §5 allows several) and does not know the MSRP attributes.
 *
 * `a=connection` is never written and ignored on input (RFC 6135 §4.4);
 * `a=setup:holdconn` counts as no a=setup (RFC 6135 §4.2.1). Desktop sharing
 * uses `m=application` with `a=rfbsetup`, as sipsimple/Blink write it, where
 * RFC 4975 §8.1 wants `message`: both are accepted on input.
 */
import { isIPv6 } from 'node:net';
import { parse as parseSdpText, type SessionDescription, write as writeSdpText } from 'sdp-transform';
import { parseSetup as readSetup } from '../connect/roles.ts';
import { type Fingerprint, parseFingerprint as readFingerprint } from '../connect/tls.ts';
import { createParseError, MsrpConnectError, MsrpParseError } from '../errors.ts';
import { formatPath, parsePath } from '../protocol/headers.ts';
import type { MsrpUri } from '../protocol/uri.ts';
import { type FileTransferAttributes, formatFileAttributes, parseFileAttribute } from './sdp-file.ts';

export type { Fingerprint } from '../connect/tls.ts';
export type { FileDates, FileHash, FileRange, FileSelector, FileTransferAttributes } from './sdp-file.ts';
export { formatFileDate } from './sdp-file.ts';
export * from './sdp-negotiation.ts';

/** RFC 4145 §4 roles an MSRP UA uses (RFC 6135 §4.2); holdconn is read as no a=setup. */
export type MsrpSetup = 'active' | 'passive' | 'actpass';

/** RFC 4566 §6 media direction. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** An attribute this module has no field for, kept in order. */
export interface SdpAttribute {
  name: string;
  /** null for a property attribute (`a=name`) */
  value: string | null;
}

/** One MSRP media description (an m= section). */
export interface MsrpMedia {
  /** `message` (RFC 4975 §8.1), or `application` for desktop sharing as sipsimple writes it */
  media: 'message' | 'application';
  /** 9 when the side will not listen (RFC 6135 §4.2.2); 0 for a rejected stream */
  port: number;
  /** TCP/TLS/MSRP rather than TCP/MSRP */
  secure: boolean;
  /** the c= line (media level, else session level); the address may be a host name */
  connection: { ipVersion: 4 | 6; address: string } | null;
  /** `a=path`, in order: relays first, the endpoint's own URI last (RFC 4976 §11) */
  path: MsrpUri[];
  /** `a=accept-types` entries as written (RFC 4975 §8.6) */
  acceptTypes: string[];
  /** `a=accept-wrapped-types` entries; [] when absent */
  acceptWrappedTypes: string[];
  /** `a=max-size` in octets, or null */
  maxSize: number | null;
  /** `a=setup`, null when absent or holdconn */
  setup: MsrpSetup | null;
  /** `a=fingerprint` (RFC 8122 §5), parsed by the connect module (hash lower-cased, value upper-case hex pairs) */
  fingerprints: Fingerprint[];
  /** `a=chatroom` tokens (RFC 7701 §8); [] for a bare `a=chatroom`, null when absent */
  chatroom: string[] | null;
  direction: MediaDirection;
  /** the media `i=` line (RFC 5547 uses it to describe the file) */
  description: string | null;
  /** RFC 5547 attributes, null when there is no `a=file-selector` */
  file: FileTransferAttributes | null;
  /** sipsimple `a=rfbsetup`: `active` is the viewer (RFB client), `passive` the server */
  rfbSetup: 'active' | 'passive' | null;
  otherAttributes: SdpAttribute[];
}

/** What `createMsrpMedia` needs; everything else has a default. */
export interface MsrpMediaInit extends Partial<Omit<MsrpMedia, 'path' | 'acceptTypes'>> {
  path: MsrpUri[];
  acceptTypes: string[];
}

/** A parsed MSRP media description with its position among all m= lines of the SDP. */
export interface ParsedMsrpMedia extends MsrpMedia {
  index: number;
}

/** The port in m= for a side that will not listen (RFC 4145 §4, RFC 6135 §4.2.2). */
export const DISCARD_PORT = 9;

/** The MSRP port registered with IANA (RFC 4975 §15.4), used when a URI has none. */
export const MSRP_PORT = 2855;

function sdpError(message: string): MsrpParseError {
  // no MSRP status: SDP problems are answered in the signalling (SIP 488, RFC 4975 §8.6)
  return createParseError('MSRP_ERR_SDP', message, 0);
}

/**
 * A complete media description from the local path and accept-types, with
 * defaults: `message`, no a=setup, TLS when the own (last) path URI is msrps,
 * the c= address and port from that URI (port 9 when `setup` is active, RFC
 * 6135 §4.2.2; 2855 when the URI has none), direction sendrecv. The
 * mandatory multipart types are not added here: see `withMandatoryTypes`.
 */
export function createMsrpMedia(init: MsrpMediaInit): MsrpMedia {
  if (init.path.length === 0) throw new RangeError('a=path needs at least one URI');
  if (init.acceptTypes.length === 0) throw new RangeError('a=accept-types needs at least one entry (RFC 4975 §8.6)');
  const own = init.path[init.path.length - 1];
  return {
    media: init.media ?? 'message',
    port: init.port ?? (init.setup === 'active' ? DISCARD_PORT : own.port ?? MSRP_PORT),
    secure: init.secure ?? own.secure,
    connection: init.connection !== undefined ? init.connection : { ipVersion: isIPv6(own.host) ? 6 : 4, address: own.host },
    path: [...init.path],
    acceptTypes: [...init.acceptTypes],
    acceptWrappedTypes: [...(init.acceptWrappedTypes ?? [])],
    maxSize: init.maxSize ?? null,
    setup: init.setup ?? null,
    fingerprints: [...(init.fingerprints ?? [])],
    chatroom: init.chatroom ?? null,
    direction: init.direction ?? 'sendrecv',
    description: init.description ?? null,
    file: init.file ?? null,
    rfbSetup: init.rfbSetup ?? null,
    otherAttributes: [...(init.otherAttributes ?? [])],
  };
}

// ---------------------------------------------------------------------------
// Attribute values

/**
 * Splits an accept-types value into format entries (RFC 4975 §9
 * `format-list`): SP-separated, a quoted parameter value may hold spaces.
 */
function splitFormatList(v: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of v) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === ' ' || ch === '\t')) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur !== '') out.push(cur);
  return out;
}

function checkFormatEntry(entry: string, what: string): string {
  if (entry === '*' || /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+(;.*)?$/.test(entry)) return entry;
  throw sdpError(`a=${what}: ${JSON.stringify(entry)} is not "*" or a media type`);
}

const FINGERPRINT_VALUE = /^[0-9A-F]{2}(:[0-9A-F]{2})*$/;

/** One parser for a=fingerprint, the connect module's (it also pins TLS peers); its errors become SDP errors. */
function parseFingerprint(v: string): Fingerprint {
  try {
    return readFingerprint(v);
  } catch (err) {
    throw err instanceof MsrpConnectError ? sdpError(`a=fingerprint:${v}: ${err.message}`) : err;
  }
}

/** RFC 6135 §4.2.1 through the connect module's parseSetup (holdconn is no a=setup); other unknown values are refused here. */
function parseSetup(v: string): MsrpSetup | null {
  const s = readSetup(v);
  if (s === null && v.trim().toLowerCase() !== 'holdconn') throw sdpError(`a=setup:${v} is not active, passive, actpass or holdconn (RFC 4145 §4)`);
  return s as MsrpSetup | null;
}

function parseInteger(v: string, what: string): number {
  if (!/^\d{1,16}$/.test(v.trim()) || !Number.isSafeInteger(Number(v.trim()))) throw sdpError(`a=${what}:${v} is not a number up to 2^53-1`);
  return Number(v.trim());
}

/** Attribute lines of each section: index 0 the session level, then one per m= line. */
function attributeLines(text: string): SdpAttribute[][] {
  const sections: SdpAttribute[][] = [[]];
  // the same line split and filter as sdp-transform, so section i + 1 is its media[i]
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (!/^[a-z]=/.test(line)) continue;
    if (line[0] === 'm') sections.push([]);
    else if (line[0] === 'a') {
      const colon = line.indexOf(':');
      const name = (colon < 0 ? line.slice(2) : line.slice(2, colon)).trim().toLowerCase();
      sections[sections.length - 1].push({ name, value: colon < 0 ? null : line.slice(colon + 1) });
    }
  }
  return sections;
}

const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/** Applies one attribute to `media`; returns false for one it does not know. */
function applyAttribute(media: MsrpMedia, { name, value }: SdpAttribute, sessionLevel: boolean): boolean {
  const v = value ?? '';
  if (DIRECTIONS.has(name)) media.direction = name as MediaDirection;
  else if (name === 'setup') media.setup = parseSetup(v);
  else if (name === 'fingerprint') media.fingerprints.push(parseFingerprint(v));
  else if (name === 'connection') return true; // RFC 6135 §4.4: ignored
  else if (sessionLevel) return false;
  else if (name === 'path') media.path = parseSdpPath(v);
  else if (name === 'accept-types') media.acceptTypes = splitFormatList(v).map((e) => checkFormatEntry(e, name));
  else if (name === 'accept-wrapped-types') media.acceptWrappedTypes = splitFormatList(v).map((e) => checkFormatEntry(e, name));
  else if (name === 'max-size') media.maxSize = parseInteger(v, name);
  else if (name === 'chatroom') media.chatroom = value === null ? [] : v.trim().split(/ +/).filter((t) => t !== '');
  else if (name === 'rfbsetup') media.rfbSetup = parseRfbSetup(v);
  else {
    let file: FileTransferAttributes | undefined;
    try {
      file = parseFileAttribute(media.file, name, value);
    } catch (err) {
      throw err instanceof RangeError ? sdpError(err.message) : err;
    }
    if (file === undefined) return false;
    media.file = file;
  }
  return true;
}

function parseSdpPath(v: string): MsrpUri[] {
  try {
    return parsePath(v);
  } catch (err) {
    throw err instanceof MsrpParseError ? sdpError(`a=path: ${err.message}`) : err;
  }
}

function parseRfbSetup(v: string): 'active' | 'passive' {
  const r = v.trim().toLowerCase();
  if (r !== 'active' && r !== 'passive') throw sdpError(`a=rfbsetup:${v} is not active or passive`);
  return r;
}

// ---------------------------------------------------------------------------
// Parsing

/**
 * Every MSRP media description of an SDP (m= lines with TCP/MSRP or
 * TCP/TLS/MSRP; others are skipped but counted in `index`). Session-level
 * c=, direction, a=setup and a=fingerprint apply to media that lack them.
 * Throws MsrpParseError (MSRP_ERR_SDP) when an MSRP section lacks what RFC
 * 4975 §8 requires or holds a malformed MSRP attribute.
 */
export function parseSdp(text: string): ParsedMsrpMedia[] {
  const session = parseSdpText(text);
  const attributes = attributeLines(text);
  const defaults = createEmpty();
  for (const a of attributes[0]) applyAttribute(defaults, a, true);
  const out: ParsedMsrpMedia[] = [];
  session.media.forEach((m, index) => {
    const protocol = String(m.protocol ?? '').toUpperCase();
    if (protocol !== 'TCP/MSRP' && protocol !== 'TCP/TLS/MSRP') return;
    if (m.type !== 'message' && m.type !== 'application') return;
    const media = createEmpty();
    media.media = m.type;
    media.port = Number(m.port);
    media.secure = protocol === 'TCP/TLS/MSRP';
    const c = m.connection ?? session.connection;
    media.connection = c === undefined ? null : { ipVersion: Number(c.version) === 6 ? 6 : 4, address: String(c.ip) };
    media.description = m.description === undefined ? null : String(m.description);
    media.direction = defaults.direction;
    media.setup = defaults.setup;
    let own = attributes[index + 1];
    if (own.some((a) => a.name === 'setup')) media.setup = null;
    if (!own.some((a) => a.name === 'fingerprint')) own = [...defaults.fingerprints.map(toAttribute), ...own];
    let sawAccept = false;
    for (const a of own) {
      if (a.name === 'accept-types') sawAccept = true;
      if (!applyAttribute(media, a, false)) media.otherAttributes.push(a);
    }
    const where = `m=${m.type} line ${index + 1}`;
    if (!sawAccept) throw sdpError(`${where}: no a=accept-types (RFC 4975 §8.6 requires it)`);
    // a rejected stream (port 0, RFC 3264 §6) or a capability query (RFC 5547 §8.5) may have no path
    if (media.path.length === 0 && media.port !== 0) throw sdpError(`${where}: no a=path (RFC 4975 §8.2 requires it)`);
    out.push({ ...media, index });
  });
  return out;
}

/** The first MSRP media description of an SDP or SDP fragment; throws MsrpParseError when there is none. */
export function parseMsrpMedia(text: string): ParsedMsrpMedia {
  const all = parseSdp(text);
  if (all.length === 0) throw sdpError('no m= line with TCP/MSRP or TCP/TLS/MSRP');
  return all[0];
}

function toAttribute(f: Fingerprint): SdpAttribute {
  return { name: 'fingerprint', value: `${f.hash} ${f.value}` };
}

function createEmpty(): MsrpMedia {
  return {
    media: 'message', port: 0, secure: false, connection: null, path: [], acceptTypes: [], acceptWrappedTypes: [],
    maxSize: null, setup: null, fingerprints: [], chatroom: null, direction: 'sendrecv', description: null,
    file: null, rfbSetup: null, otherAttributes: [],
  };
}

// ---------------------------------------------------------------------------
// Writing

function checkToken(s: string, what: string): string {
  if (!/^[!#$%&'*+\-.^_`{|}~0-9A-Za-z]+$/.test(s)) throw new RangeError(`${what} ${JSON.stringify(s)} is not a token`);
  return s;
}

/** The a= lines of a media description, in the order RFC 4975 and RFC 5547 print them. */
function attributesOf(media: MsrpMedia): SdpAttribute[] {
  const out: SdpAttribute[] = [];
  const add = (name: string, value: string | null = null) => out.push({ name, value });
  if (media.direction !== 'sendrecv') add(media.direction);
  if (media.acceptTypes.length === 0) throw new RangeError('a=accept-types needs at least one entry (RFC 4975 §8.6)');
  add('accept-types', media.acceptTypes.map((e) => checkFormatEntry(e, 'accept-types')).join(' '));
  if (media.acceptWrappedTypes.length > 0) {
    add('accept-wrapped-types', media.acceptWrappedTypes.map((e) => checkFormatEntry(e, 'accept-wrapped-types')).join(' '));
  }
  if (media.maxSize !== null) {
    if (!Number.isSafeInteger(media.maxSize) || media.maxSize < 0) throw new RangeError('a=max-size must be a whole number of octets');
    add('max-size', String(media.maxSize));
  }
  if (media.path.length > 0) add('path', formatPath(media.path));
  if (media.setup !== null) add('setup', media.setup);
  for (const f of media.fingerprints) {
    if (!FINGERPRINT_VALUE.test(f.value)) throw new RangeError(`fingerprint ${JSON.stringify(f.value)} is not upper-case hex pairs (RFC 8122 §5)`);
    add('fingerprint', `${checkToken(f.hash, 'fingerprint hash function')} ${f.value}`);
  }
  if (media.chatroom !== null) {
    add('chatroom', media.chatroom.length === 0 ? null : media.chatroom.map((t) => checkToken(t, 'chatroom token')).join(' '));
  }
  if (media.file !== null) out.push(...formatFileAttributes(media.file));
  if (media.rfbSetup !== null) add('rfbsetup', media.rfbSetup);
  for (const a of media.otherAttributes) {
    if (a.name === 'connection') continue; // never written (RFC 6135 §4.4)
    checkToken(a.name, 'attribute name');
    if (a.value !== null && /[\r\n]/.test(a.value)) throw new RangeError(`a=${a.name}: value contains CR or LF`);
    out.push(a);
  }
  return out;
}

function toTransform(media: MsrpMedia): SessionDescription['media'][number] {
  if (!Number.isInteger(media.port) || media.port < 0 || media.port > 65535) throw new RangeError(`port ${media.port} is not 0-65535`);
  if (media.description !== null && /[\r\n]/.test(media.description)) throw new RangeError('i= line contains CR or LF');
  const c = media.connection;
  if (c !== null && !/^[^\s]+$/.test(c.address)) throw new RangeError(`c= address ${JSON.stringify(c.address)} is empty or holds whitespace`);
  return {
    type: media.media,
    port: media.port,
    protocol: media.secure ? 'TCP/TLS/MSRP' : 'TCP/MSRP',
    payloads: '*',
    rtp: [],
    fmtp: [],
    ...(media.description !== null ? { description: media.description } : {}),
    ...(c !== null ? { connection: { version: c.ipVersion, ip: c.address } } : {}),
    invalid: attributesOf(media).map(({ name, value }) => ({ value: value === null ? name : `${name}:${value}` })),
  };
}

/** sdp-transform's writer with its documented options argument (the typings omit it). */
const writeWith = writeSdpText as unknown as (session: SessionDescription, opts?: { outerOrder?: string[] }) => string;

/** The media section: m=, i=, c= and a= lines, each ended by CRLF (sipsimple's `sdpmedia`, as text). */
export function formatMsrpMedia(media: MsrpMedia): string {
  const session = { media: [toTransform(media)] } as unknown as SessionDescription;
  return writeWith(session, { outerOrder: [] });
}

/** Session-level fields of a whole SDP. */
export interface SdpSessionInit {
  /** o= username; default `-` */
  username?: string;
  /** o= sess-id; default from the clock */
  sessionId?: string | number;
  /** o= sess-version; default equal to the session id */
  sessionVersion?: number;
  /** o= unicast-address; default the first media's c= address */
  address?: string;
  /** s= line; default `-` */
  name?: string;
}

/** A whole SDP (v=, o=, s=, t=, then each media section) as a caller without its own SIP stack needs it. */
export function formatSdp(media: MsrpMedia[], init: SdpSessionInit = {}): string {
  const address = init.address ?? media.find((m) => m.connection !== null)?.connection?.address ?? '0.0.0.0';
  const sessionId = init.sessionId ?? Math.floor(Date.now() / 1000) + 2208988800; // NTP seconds, RFC 4566 §5.2
  const session: SessionDescription = {
    version: 0,
    origin: {
      username: checkToken(init.username ?? '-', 'o= username'),
      sessionId,
      sessionVersion: init.sessionVersion ?? Number(sessionId),
      netType: 'IN',
      ipVer: isIPv6(address) ? 6 : 4,
      address,
    },
    name: init.name ?? '-',
    timing: { start: 0, stop: 0 },
    media: media.map(toTransform),
  };
  return writeSdpText(session);
}
