/**
 * MSRP URIs (RFC 4975 §6, grammar §9 `MSRP-URI`; relay URIs RFC 4976 §4):
 *
 *   msrp-scheme "://" authority ["/" session-id] ";" transport *(";" URI-parameter)
 *
 * Parsing is a single left-to-right scan over character-class tables (no
 * regular expressions): To-Path and From-Path are parsed for every incoming
 * chunk. Comparison follows RFC 4975 §6.1 exactly.
 */
import { MsrpUriError } from '../errors.ts';

// Character classes, one bit each, for the ASCII range (RFC 3986 App. A, RFC 4975 §9).
const UNRESERVED = 1; // ALPHA / DIGIT / "-" / "." / "_" / "~"
const USERINFO = 2; // unreserved / sub-delims / ":" (RFC 3986 §3.2.1)
const TOKEN = 4; // RFC 4975 §9 `token`
const ALPHANUM = 8;
const HEX = 16;
const DIGIT = 32;
// reg-name minus ";": the transport parameter follows the authority directly (RFC 4975 §9)
const REG_NAME = 64;
const SESSION_ID = 128; // RFC 4975 §9 `session-id`: unreserved / "+" / "=" / "/"

const CLASS = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) CLASS[c] |= UNRESERVED | ALPHANUM | HEX | DIGIT;
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] |= UNRESERVED | ALPHANUM | (c <= 0x46 ? HEX : 0);
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] |= UNRESERVED | ALPHANUM | (c <= 0x66 ? HEX : 0);
for (let c = 0; c < 128; c++) if (CLASS[c] & UNRESERVED) CLASS[c] |= USERINFO | REG_NAME | SESSION_ID;
for (const ch of '-._~') CLASS[ch.charCodeAt(0)] |= UNRESERVED | USERINFO | REG_NAME | SESSION_ID;
for (const ch of "!$&'()*+,=") CLASS[ch.charCodeAt(0)] |= USERINFO | REG_NAME;
CLASS[0x3b] |= USERINFO; // ";"
CLASS[0x3a] |= USERINFO; // ":"
for (const ch of '+=/') CLASS[ch.charCodeAt(0)] |= SESSION_ID;
// token = 1*(%x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E)
for (let c = 0x21; c <= 0x7e; c++) {
  if (c === 0x22 || c === 0x28 || c === 0x29 || c === 0x2c || c === 0x2f) continue;
  if (c >= 0x3a && c <= 0x40) continue;
  if (c >= 0x5b && c <= 0x5d) continue;
  CLASS[c] |= TOKEN;
}

/** True when the UTF-16 code unit `c` is ASCII and in one of the `mask` classes. */
function is(c: number, mask: number): boolean {
  return c < 128 && (CLASS[c] & mask) !== 0;
}

/** True when `s` is a non-empty RFC 4975 §9 `token`. */
export function isToken(s: string): boolean {
  return s.length > 0 && scanToken(s, 0) === s.length;
}

/** Index of the first character at or after `i` that is not an RFC 4975 §9 `token` character. */
export function scanToken(s: string, i: number): number {
  while (i < s.length && is(s.charCodeAt(i), TOKEN)) i++;
  return i;
}

function hexValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

function quote(text: string, i: number, end: number): string {
  return i < end ? `character ${JSON.stringify(text[i])}` : 'end of URI';
}

/**
 * Scans a run of `allowed` characters and RFC 3986 `pct-encoded` triplets from
 * `i`; returns where the run stops. A `%` not followed by two hex digits fails.
 */
function scanPct(text: string, i: number, end: number, allowed: number, what: string): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      if (i + 2 >= end || !is(text.charCodeAt(i + 1), HEX) || !is(text.charCodeAt(i + 2), HEX)) {
        throw new MsrpUriError(`"%" not followed by two hex digits in ${what}`, text, i);
      }
      i += 3;
    } else if (is(c, allowed)) {
      i++;
    } else {
      return i;
    }
  }
  return i;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Percent-decodes a validated run (RFC 3986 §2.1); the octets must be UTF-8. */
function pctDecode(text: string, start: number, end: number): string {
  const raw = text.slice(start, end);
  if (raw.indexOf('%') < 0) return raw;
  const bytes: number[] = [];
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      bytes.push(hexValue(text.charCodeAt(i + 1)) * 16 + hexValue(text.charCodeAt(i + 2)));
      i += 2;
    } else {
      bytes.push(c); // validated ASCII
    }
  }
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new MsrpUriError('percent-encoded userinfo is not UTF-8', text, start);
  }
}

/** Percent-encodes userinfo for the wire: unreserved, sub-delims and ":" stay (RFC 3986 §3.2.1). */
function encodeUserinfo(user: string): string {
  let out = '';
  for (const ch of user) {
    const c = ch.charCodeAt(0);
    if (is(c, USERINFO)) {
      out += ch;
    } else {
      try {
        out += encodeURIComponent(ch); // upper-case hex, as RFC 3986 §2.1 recommends
      } catch {
        throw new MsrpUriError('userinfo is not well-formed Unicode', user, 0);
      }
    }
  }
  return out;
}

/** RFC 3986 `dec-octet` "." x4 between `start` and `end`, as a 32-bit value, or -1. */
function ipv4Value(text: string, start: number, end: number): number {
  let value = 0;
  let i = start;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= end || text.charCodeAt(i) !== 0x2e) return -1;
      i++;
    }
    const s = i;
    let octet = 0;
    while (i < end && i - s < 3 && is(text.charCodeAt(i), DIGIT)) octet = octet * 10 + text.charCodeAt(i++) - 0x30;
    // dec-octet has no leading zeros: "01" is a reg-name, not an address
    if (i === s || octet > 255 || (i - s > 1 && text.charCodeAt(s) === 0x30)) return -1;
    value = value * 256 + octet;
  }
  return i === end ? value : -1;
}

/**
 * RFC 4291 §2.2 text form (RFC 3986 `IPv6address`) between `start` and `end`,
 * as eight 16-bit groups, or null when malformed.
 */
function ipv6Groups(text: string, start: number, end: number): number[] | null {
  const head: number[] = [];
  const tail: number[] = [];
  let groups = head;
  let compressed = false;
  let i = start;
  if (end - start >= 2 && text.charCodeAt(i) === 0x3a && text.charCodeAt(i + 1) === 0x3a) {
    compressed = true;
    groups = tail;
    i += 2;
  }
  while (i < end) {
    let j = i;
    let value = 0;
    while (j < end && j - i < 5 && is(text.charCodeAt(j), HEX)) value = value * 16 + hexValue(text.charCodeAt(j++));
    if (j < end && text.charCodeAt(j) === 0x2e) {
      // an embedded IPv4 address ends the literal (RFC 4291 §2.2 form 3)
      const v4 = ipv4Value(text, i, end);
      if (v4 < 0) return null;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      i = end;
      break;
    }
    if (j === i || j - i > 4) return null;
    groups.push(value);
    i = j;
    if (i === end) break;
    if (text.charCodeAt(i) !== 0x3a) return null;
    i++;
    if (i < end && text.charCodeAt(i) === 0x3a) {
      if (compressed) return null; // "::" at most once
      compressed = true;
      groups = tail;
      i++;
    } else if (i === end) {
      return null; // a single trailing ":"
    }
  }
  const count = head.length + tail.length;
  if (compressed ? count > 7 : count !== 8) return null;
  const out = head.slice();
  for (let k = count; k < 8; k++) out.push(0);
  return out.concat(tail);
}

/** Comparison key of a host (RFC 4975 §6.1 rule 2): addresses as addresses, names case-folded. */
function hostKey(host: string): string {
  if (host.indexOf(':') >= 0) {
    const zone = host.indexOf('%25');
    const groups = ipv6Groups(host, 0, zone < 0 ? host.length : zone);
    const addr = groups ? groups.map((g) => g.toString(16)).join(':') : host.toLowerCase();
    return zone < 0 ? addr : `${addr}%${host.slice(zone + 3)}`;
  }
  if (host.indexOf('%') < 0) return host.toLowerCase();
  // decode percent-encoded unreserved characters only (RFC 3986 §6.2.2.2), then fold case
  let out = '';
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c === 0x25) {
      const v = hexValue(host.charCodeAt(i + 1)) * 16 + hexValue(host.charCodeAt(i + 2));
      out += is(v, UNRESERVED) ? String.fromCharCode(v) : host.slice(i, i + 3);
      i += 2;
    } else {
      out += host[i];
    }
  }
  return out.toLowerCase();
}

// Only this module builds MsrpUri objects from unchecked parts.
const kTrusted: unique symbol = Symbol('MsrpUri.trusted');

/** The parts of an MSRP URI, as MsrpUri holds them. */
export interface MsrpUriParts {
  /** `msrp`, or `msrps` for TLS (RFC 4975 §6) */
  scheme: 'msrp' | 'msrps';
  /** percent-decoded userinfo, or null (RFC 4975 §6: a user account, never a password) */
  user: string | null;
  /** host name or IPv4 address as written, or IPv6 address without brackets */
  host: string;
  /** explicit port, or null when the URI has none (relay URIs, RFC 4976 §8) */
  port: number | null;
  /** RFC 4975 §9 `session-id`, or null (a relay or host device URI) */
  sessionId: string | null;
  /** the transport parameter as written, e.g. `tcp` or `ws` (RFC 7977) */
  transport: string;
  /** the other URI parameters, in order; value null for a bare name */
  params: Array<[name: string, value: string | null]>;
}

/**
 * An MSRP or MSRPS URI. Immutable: `with()` returns a modified copy.
 * Build one with `MsrpUri.parse(text)` or `MsrpUri.from(parts)`.
 */
export class MsrpUri implements MsrpUriParts {
  readonly scheme: 'msrp' | 'msrps';
  readonly user: string | null;
  readonly host: string;
  readonly port: number | null;
  readonly sessionId: string | null;
  readonly transport: string;
  readonly params: Array<[name: string, value: string | null]>;
  #key: string | undefined;
  #text: string | undefined;

  /** Internal: takes already validated parts. Use `MsrpUri.parse` or `MsrpUri.from`. */
  constructor(parts: MsrpUriParts, trusted?: typeof kTrusted) {
    if (trusted !== kTrusted) throw new TypeError('use MsrpUri.parse() or MsrpUri.from() to build an MsrpUri');
    this.scheme = parts.scheme;
    this.user = parts.user;
    this.host = parts.host;
    this.port = parts.port;
    this.sessionId = parts.sessionId;
    this.transport = parts.transport;
    this.params = parts.params;
  }

  /** Parses one URI; throws MsrpUriError saying what is wrong and at which index. */
  static parse(text: string): MsrpUri {
    return parseUriRange(text, 0, text.length);
  }

  /**
   * Builds a URI from parts, validating each one against the grammar (the
   * parts must survive `parse(toString())` unchanged). Throws MsrpUriError.
   */
  static from(parts: MsrpUriParts): MsrpUri {
    const uri = new MsrpUri({ ...parts, params: parts.params.map(([n, v]) => [n, v]) }, kTrusted);
    const text = uri.toString();
    let back: MsrpUri;
    try {
      back = MsrpUri.parse(text);
    } catch (err) {
      const e = err as MsrpUriError;
      throw new MsrpUriError(`parts do not form a valid MSRP URI: ${e.message.slice(0, e.message.lastIndexOf(' at index '))}`, text, e.index);
    }
    if (!sameParts(uri, back)) {
      throw new MsrpUriError('parts do not form a valid MSRP URI (check host, session-id, transport, params)', text, 0);
    }
    return back;
  }

  /** A copy with some parts replaced (for example the real port in place of port 0). */
  with(changes: Partial<MsrpUriParts>): MsrpUri {
    return MsrpUri.from({ ...this.parts(), ...changes });
  }

  /** The parts as a plain object. */
  parts(): MsrpUriParts {
    return {
      scheme: this.scheme, user: this.user, host: this.host, port: this.port,
      sessionId: this.sessionId, transport: this.transport, params: this.params.map(([n, v]) => [n, v]),
    };
  }

  /** True for `msrps`: the connection must use TLS (RFC 4975 §6). */
  get secure(): boolean {
    return this.scheme === 'msrps';
  }

  /**
   * RFC 4975 §6.1: scheme equal; host equal as an address or, for names,
   * case-insensitively after decoding percent-encoded unreserved characters;
   * userinfo ignored; port equal, present in both or absent in both;
   * session-id equal case-sensitively, present in both or absent in both;
   * transport equal case-insensitively; other parameters ignored.
   */
  equals(other: MsrpUri): boolean {
    if (this === other) return true;
    return this.scheme === other.scheme
      && this.port === other.port
      && this.sessionId === other.sessionId
      && (this.transport === other.transport || this.transport.toLowerCase() === other.transport.toLowerCase())
      && this.hostKey() === other.hostKey();
  }

  private hostKey(): string {
    return (this.#key ??= hostKey(this.host));
  }

  /** The wire form: userinfo percent-encoded, IPv6 in brackets. */
  toString(): string {
    if (this.#text !== undefined) return this.#text;
    let s = `${this.scheme}://`;
    if (this.user !== null) s += `${encodeUserinfo(this.user)}@`;
    s += this.host.indexOf(':') >= 0 ? `[${this.host}]` : this.host;
    if (this.port !== null) s += `:${this.port}`;
    if (this.sessionId !== null) s += `/${this.sessionId}`;
    s += `;${this.transport}`;
    for (const [name, value] of this.params) s += value === null ? `;${name}` : `;${name}=${value}`;
    return (this.#text = s);
  }

  /** JSON form: the wire string. */
  toJSON(): string {
    return this.toString();
  }
}

function sameParts(a: MsrpUriParts, b: MsrpUriParts): boolean {
  if (a.scheme !== b.scheme || a.user !== b.user || a.host !== b.host || a.port !== b.port
    || a.sessionId !== b.sessionId || a.transport !== b.transport || a.params.length !== b.params.length) return false;
  for (let i = 0; i < a.params.length; i++) {
    if (a.params[i][0] !== b.params[i][0] || a.params[i][1] !== b.params[i][1]) return false;
  }
  return true;
}

/**
 * Parses the URI occupying `text[start, end)`. Error indexes are positions in
 * `text`, so a path header reports where in the whole value the fault is.
 * `nextAt`, when given, is `text.indexOf('@', start)`: a caller parsing many
 * URIs of one string passes it so the search is not repeated for each.
 */
export function parseUriRange(text: string, start: number, end: number, nextAt?: number): MsrpUri {
  let i = start;
  // msrp-scheme "://" (the scheme is case-insensitive, RFC 3986 §3.1)
  let scheme: 'msrp' | 'msrps' = 'msrp';
  if (end - i >= 4 && (text.charCodeAt(i) | 0x20) === 0x6d && (text.charCodeAt(i + 1) | 0x20) === 0x73
    && (text.charCodeAt(i + 2) | 0x20) === 0x72 && (text.charCodeAt(i + 3) | 0x20) === 0x70) {
    i += 4;
    if (i < end && (text.charCodeAt(i) | 0x20) === 0x73) {
      scheme = 'msrps';
      i++;
    }
  } else {
    throw new MsrpUriError('scheme is not "msrp" or "msrps"', text, start);
  }
  if (end - i < 3 || text.charCodeAt(i) !== 0x3a || text.charCodeAt(i + 1) !== 0x2f || text.charCodeAt(i + 2) !== 0x2f) {
    throw new MsrpUriError('expected "://" after the scheme', text, i);
  }
  i += 3;

  // userinfo "@": "@" occurs nowhere else in an MSRP URI, so the first one ends it
  let user: string | null = null;
  const at = nextAt === undefined ? text.indexOf('@', i) : nextAt;
  if (at >= 0 && at < end) {
    const stop = scanPct(text, i, at, USERINFO, 'userinfo');
    if (stop < at) throw new MsrpUriError(`invalid ${quote(text, stop, end)} in userinfo`, text, stop);
    user = pctDecode(text, i, at);
    i = at + 1;
  }

  // host: IP-literal / IPv4address / reg-name; ";" ends a reg-name here because
  // the transport parameter follows the authority directly (RFC 4975 §9)
  let host: string;
  if (i < end && text.charCodeAt(i) === 0x5b) {
    const close = text.indexOf(']', i);
    if (close < 0 || close >= end) throw new MsrpUriError('IPv6 literal has no closing "]"', text, i);
    if (i + 1 < close && (text.charCodeAt(i + 1) | 0x20) === 0x76) {
      throw new MsrpUriError('IPvFuture literals are not supported', text, i + 1);
    }
    // RFC 6874 zone identifier: "%25" ZoneID
    const zone = text.indexOf('%25', i);
    const addrEnd = zone >= 0 && zone < close ? zone : close;
    if (ipv6Groups(text, i + 1, addrEnd) === null) throw new MsrpUriError('malformed IPv6 address', text, i + 1);
    if (addrEnd < close) {
      const zoneEnd = scanPct(text, addrEnd + 3, close, UNRESERVED, 'IPv6 zone');
      if (zoneEnd !== close || zoneEnd === addrEnd + 3) throw new MsrpUriError('malformed IPv6 zone identifier', text, addrEnd);
    }
    host = text.slice(i + 1, close);
    i = close + 1;
  } else {
    const hostStart = i;
    i = scanPct(text, i, end, REG_NAME, 'host');
    if (i === hostStart) throw new MsrpUriError(`missing host, found ${quote(text, i, end)}`, text, i);
    host = text.slice(hostStart, i);
  }
  return parseAfterHost(text, i, end, scheme, user, host);
}

/** The part after the host: [":" port] ["/" session-id] ";" transport *(";" URI-parameter). */
function parseAfterHost(text: string, i: number, end: number, scheme: 'msrp' | 'msrps',
  user: string | null, host: string): MsrpUri {
  let where = 'host';
  let port: number | null = null;
  if (i < end && text.charCodeAt(i) === 0x3a) {
    const s = ++i;
    let value = 0;
    while (i < end && is(text.charCodeAt(i), DIGIT)) value = value * 10 + text.charCodeAt(i++) - 0x30;
    if (i === s) throw new MsrpUriError(`port has no digits, found ${quote(text, i, end)}`, text, i);
    if (value > 65535) throw new MsrpUriError('port is above 65535', text, s);
    port = value;
    where = 'port';
  }
  let sessionId: string | null = null;
  if (i < end && text.charCodeAt(i) === 0x2f) {
    const s = ++i;
    while (i < end && is(text.charCodeAt(i), SESSION_ID)) i++;
    if (i === s) throw new MsrpUriError(`session-id is empty, found ${quote(text, i, end)}`, text, i);
    sessionId = text.slice(s, i);
    where = 'session-id';
  }
  // RFC 4975 §6: the transport parameter is mandatory
  if (i >= end) throw new MsrpUriError('missing ";" transport parameter (such as ";tcp")', text, i);
  if (text.charCodeAt(i) !== 0x3b) throw new MsrpUriError(`invalid ${quote(text, i, end)} in ${where}`, text, i);
  const ts = ++i;
  while (i < end && is(text.charCodeAt(i), ALPHANUM)) i++;
  if (i === ts) throw new MsrpUriError(`transport is empty or not alphanumeric, found ${quote(text, i, end)}`, text, i);
  const transport = text.slice(ts, i);
  const params: Array<[string, string | null]> = [];
  where = 'transport';
  while (i < end) {
    if (text.charCodeAt(i) !== 0x3b) throw new MsrpUriError(`invalid ${quote(text, i, end)} in ${where}`, text, i);
    const ns = ++i;
    i = Math.min(scanToken(text, i), end);
    if (i === ns) throw new MsrpUriError(`URI parameter name is empty or not a token, found ${quote(text, i, end)}`, text, i);
    const name = text.slice(ns, i);
    let value: string | null = null;
    where = 'URI parameter';
    if (i < end && text.charCodeAt(i) === 0x3d) {
      const vs = ++i;
      i = Math.min(scanToken(text, i), end);
      if (i === vs) throw new MsrpUriError(`URI parameter value is empty or not a token, found ${quote(text, i, end)}`, text, i);
      value = text.slice(vs, i);
    }
    params.push([name, value]);
  }
  return new MsrpUri({ scheme, user, host, port, sessionId, transport, params }, kTrusted);
}
