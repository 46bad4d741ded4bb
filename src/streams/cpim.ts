/**
 * Message/CPIM (RFC 3862): wrapping content with From/To/cc/DateTime/Subject
 * and namespaced extension headers, and unwrapping received CPIM bodies.
 *
 * Bodies are Buffers: content is binary-safe and unwrapping returns a view
 * into the received body, never a copy. Header names are case-sensitive
 * (RFC 3862 §3: "From:" and "from:" are different headers); values are kept
 * as on the wire, escapes included, so a message can be re-wrapped octet for
 * octet (§2.2: processors preserve all octets of all headers); typed fields
 * (`from`, `to`, `dateTime`, ...) are decoded from them.
 *
 * Unwrapping tolerates the RFC 4975 §11.4 example (also RFC 5547 §9, RFC
 * 5438 §7), which puts the MIME content headers directly after the CPIM
 * headers with no blank line between them: an unprefixed `Content-*` line in
 * the CPIM header block starts the MIME headers.
 */
import { createParseError, type MsrpParseError } from '../errors.ts';
import { parseContentType } from '../protocol/headers.ts';
import {
  formatMimeHeaders, lineAt, MAX_MIME_HEADER_BYTES, type MimeHeader, type MimeHeaderBlock, mimeHeader, readMimeHeaders, show, trimWs,
} from './mime.ts';

/** The namespace of the RFC 3862 §4 headers (the default namespace). */
export const CPIM_HEADERS_NS = 'urn:ietf:params:cpim-headers:';

/** The media type of a CPIM body (RFC 3862 §7.1). */
export const CPIM_CONTENT_TYPE = 'message/cpim';

/** One message header: the name as written (with its prefix), `;name=value` parameters, the value as on the wire. */
export interface CpimHeader {
  name: string;
  /** RFC 3862 §3.6 parameters (e.g. `lang`), values unquoted and unescaped */
  params?: Array<[string, string]>;
  /** the value as on the wire: escapes (RFC 3862 §2.3) still in place */
  value: string;
}

/** An address in From, To, cc (RFC 3862 §4.1-4.3): `[Formal-name] "<" URI ">"`. */
export interface CpimAddress {
  displayName: string | null;
  uri: string;
}

/** A Subject header (RFC 3862 §4.5) with its optional language tag (§3.3). */
export interface CpimSubject {
  text: string;
  lang: string | null;
}

/** A DateTime value (RFC 3862 §4.4, RFC 3339 §5.6): the instant and the sender's UTC offset. */
export interface CpimDateTime {
  date: Date;
  /** minutes east of UTC as written (`-08:00` is -480; `Z` is 0) */
  offsetMinutes: number;
}

/** A namespace declaration (RFC 3862 §4.6): prefix null for the default namespace. */
export interface CpimNamespace {
  prefix: string | null;
  uri: string;
}

/** An unwrapped Message/CPIM body. */
export interface CpimMessage {
  /** all message headers in order, values as on the wire */
  headers: CpimHeader[];
  /** the MIME headers of the encapsulated object (RFC 3862 §2.4) */
  contentHeaders: MimeHeader[];
  /** the encapsulated Content-Type value, or null when absent */
  contentType: string | null;
  /** the encapsulated content: a view into the unwrapped buffer */
  content: Buffer;
  from: CpimAddress | null;
  to: CpimAddress[];
  cc: CpimAddress[];
  dateTime: CpimDateTime | null;
  subject: CpimSubject[];
  namespaces: CpimNamespace[];
  /** header names and features from Require (RFC 3862 §4.7), in order */
  require: string[];
  /** true when the blank line between the CPIM and MIME headers was missing (RFC 4975 §11.4) */
  blankLineMissing: boolean;
}

/** What `wrapCpim` writes. Headers go out as From, To, cc, NS, DateTime, Subject, Require, then `headers`. */
export interface CpimWrapOptions {
  /**
   * Content-Type of the encapsulated content, e.g. `text/plain;charset=utf-8`;
   * RFC 3862 §2.4 requires one, here or in `contentHeaders`
   */
  contentType?: string;
  /** further MIME content headers (Content-ID, Content-Disposition, ...) */
  contentHeaders?: MimeHeader[];
  /** a URI string or an address with display name */
  from?: CpimAddress | string | null;
  to?: Array<CpimAddress | string>;
  cc?: Array<CpimAddress | string>;
  /** a Date is written in UTC; a CpimDateTime keeps its offset */
  dateTime?: Date | CpimDateTime | null;
  subject?: string | CpimSubject | CpimSubject[];
  namespaces?: CpimNamespace[];
  require?: string[];
  /** further headers, values as on the wire (for example `imdn.Message-ID`) */
  headers?: CpimHeader[];
}

const LF = 0x0a;

function cpimError(message: string): MsrpParseError {
  return createParseError('MSRP_ERR_CPIM', message, 400);
}

// ---------------------------------------------------------------------------
// Character classes (RFC 3862 §3.6)

// NAMECHAR: printable US-ASCII except "." and SEPARATORS
const NAMECHAR = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++) NAMECHAR[c] = 1;
for (const ch of '"(),./:;<=>?@[\\]{}') NAMECHAR[ch.charCodeAt(0)] = 0;

function isNameChar(c: number): boolean {
  return c < 128 && NAMECHAR[c] === 1;
}

/** TOKENCHAR = NAMECHAR / "." / UCS-high */
function isTokenChar(c: number): boolean {
  return c >= 0x80 || c === 0x2e || isNameChar(c);
}

function isName(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isNameChar(s.charCodeAt(i))) return false;
  return true;
}

/** True when `s` is an RFC 3862 §3.6 `Token` (e.g. an IMDN Message-ID, RFC 5438 §10). */
export function isCpimToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/** True when `s` is an RFC 3862 §3.6 `Header-name`: `[Name-prefix "."] Name`. */
export function isCpimHeaderName(s: string): boolean {
  const dot = s.indexOf('.');
  return dot < 0 ? isName(s) : isName(s.slice(0, dot)) && isName(s.slice(dot + 1));
}

function isCtl(c: number): boolean {
  return c < 0x20 || c === 0x7f;
}

// ---------------------------------------------------------------------------
// Escapes (RFC 3862 §2.3)

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", b: '\b', t: '\t', n: '\n', r: '\r' };

/**
 * Decodes the escape mechanism of RFC 3862 §2.3: `\uXXXX`, `\\`, `\"`, `\'`,
 * `\b`, `\t`, `\n`, `\r`; any other escaped character stands for itself and
 * an isolated backslash at the end is ignored (§2.3.1).
 */
export function decodeCpimValue(raw: string): string {
  if (raw.indexOf('\\') < 0) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = raw[i + 1];
    if (next === undefined) break;
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(raw.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(raw.slice(i + 2, i + 6), 16));
      i += 5;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
      i += 1;
    }
  }
  return out;
}

/**
 * Encodes text for a header value (RFC 3862 §2.3.1): backslash, BS, HT, LF and
 * CR as their special sequences, other control characters as `\uXXXX`, and
 * `"` as `\"` when `quoted` (inside a String).
 */
export function encodeCpimValue(text: string, quoted = false): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const c = text.charCodeAt(i);
    if (ch === '\\') out += '\\\\';
    else if (ch === '"' && quoted) out += '\\"';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (isCtl(c)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** Reads a `String` whose DQUOTE is at `i`: [decoded text, index after the closing DQUOTE]. */
function readString(v: string, i: number, what: string): [string, number] {
  for (let j = i + 1; j < v.length; j++) {
    const c = v.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return [decodeCpimValue(v.slice(i + 1, j)), j + 1];
  }
  throw cpimError(`${what}: unterminated quoted string in ${show(v)}`);
}

// ---------------------------------------------------------------------------
// Addresses (RFC 3862 §4.1-4.3, §4.6)

/** Parses `[Formal-name] "<" URI ">"`; a bare URI without angle brackets is tolerated. */
export function parseCpimAddress(value: string): CpimAddress {
  const [displayName, uri] = readNameAndUri(value, 'address');
  return { displayName, uri };
}

function readNameAndUri(value: string, what: string): [string | null, string] {
  const v = trimWs(value);
  let name: string | null = null;
  let lt: number;
  if (v.charCodeAt(0) === 0x22) {
    let after: number;
    [name, after] = readString(v, 0, what);
    while (v.charCodeAt(after) === 0x20 || v.charCodeAt(after) === 0x09) after++;
    if (v.charCodeAt(after) !== 0x3c) throw cpimError(`${what}: expected "<" after the quoted name in ${show(v)}`);
    lt = after;
  } else {
    lt = v.indexOf('<');
    if (lt < 0) {
      // tolerated: a bare URI, as some clients write it
      if (v.length === 0 || /[\s<>"]/.test(v)) throw cpimError(`${what}: expected "<URI>" in ${show(v)}`);
      return [null, v];
    }
    const bare = trimWs(v.slice(0, lt));
    name = bare === '' ? null : decodeCpimValue(bare);
  }
  if (v.charCodeAt(v.length - 1) !== 0x3e) throw cpimError(`${what}: expected ">" at the end of ${show(v)}`);
  const uri = v.slice(lt + 1, v.length - 1);
  if (uri.length === 0 || /[\s<>]/.test(uri)) throw cpimError(`${what}: invalid URI ${show(uri)}`);
  return [name, uri];
}

function checkUri(uri: string): string {
  if (uri.length === 0 || /[\s<>\x00-\x1f\x7f]/.test(uri)) throw new RangeError(`${JSON.stringify(uri)} is not a URI for a CPIM header`);
  return uri;
}

/** Wire form of an address: tokens as they are, any other display name quoted (RFC 3862 §3.6 `Formal-name`). */
export function formatCpimAddress(address: CpimAddress | string): string {
  if (typeof address === 'string') return `<${checkUri(address)}>`;
  const uri = checkUri(address.uri);
  const name = address.displayName;
  if (name === null || name === '') return `<${uri}>`;
  const bare = name.split(' ').every(isCpimToken);
  return `${bare ? name : `"${encodeCpimValue(name, true)}"`} <${uri}>`;
}

// ---------------------------------------------------------------------------
// DateTime (RFC 3862 §4.4, RFC 3339 §5.6)

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Parses an RFC 3339 `date-time` (`T`/`Z` in either case, a space for `T`
 * and an offset without colon tolerated). Fractions beyond milliseconds are
 * rounded down; a leap second (`:60`) counts as the next minute's first.
 */
export function parseCpimDateTime(value: string): CpimDateTime {
  const m = DATE_TIME.exec(trimWs(value));
  if (m === null) throw cpimError(`DateTime ${show(value)} is not an RFC 3339 date-time`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  const offsetMinutes = m[8] !== undefined ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60
    || Number(m[10] ?? 0) > 23 || Number(m[11] ?? 0) > 59) {
    throw cpimError(`DateTime ${show(value)} is out of range`);
  }
  const date = utcDate(year, month, day);
  date.setUTCHours(hour, minute, second, ms);
  date.setTime(date.getTime() - offsetMinutes * 60_000);
  return { date, offsetMinutes };
}

/** Midnight UTC of a proleptic Gregorian date (setUTCFullYear, unlike Date.UTC, leaves years 0-99 alone). */
function utcDate(year: number, month: number, day: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d;
}

function daysInMonth(year: number, month: number): number {
  return utcDate(year, month + 1, 0).getUTCDate();
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** RFC 3339 form of an instant at a UTC offset (0 gives `Z`); milliseconds only when not zero. */
export function formatCpimDateTime(when: Date | CpimDateTime): string {
  const { date, offsetMinutes } = when instanceof Date ? { date: when, offsetMinutes: 0 } : when;
  if (Number.isNaN(date.getTime())) throw new RangeError('DateTime: invalid Date');
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) >= 24 * 60) throw new RangeError('DateTime: offset must be whole minutes within a day');
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError('DateTime: year outside 0000-9999');
  let s = `${pad(year, 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  if (local.getUTCMilliseconds() !== 0) s += `.${pad(local.getUTCMilliseconds(), 3)}`;
  if (offsetMinutes === 0) return `${s}Z`;
  const off = Math.abs(offsetMinutes);
  return `${s}${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(off / 60))}:${pad(off % 60)}`;
}

// ---------------------------------------------------------------------------
// Header lines (RFC 3862 §3.6 `Header`)

/** Parses the text after `Header-name ":"`: `*( ";" Parameter ) SP Header-value`. */
function readParamsAndValue(rest: string, line: string): [Array<[string, string]>, string] {
  const params: Array<[string, string]> = [];
  let i = 0;
  while (rest.charCodeAt(i) === 0x3b) {
    const eq = rest.indexOf('=', i + 1);
    const name = eq < 0 ? '' : rest.slice(i + 1, eq);
    if (!isName(name)) throw cpimError(`header parameter name is not a Name in ${show(line)}`);
    let value: string;
    let j = eq + 1;
    if (rest.charCodeAt(j) === 0x22) {
      [value, j] = readString(rest, j, 'header parameter');
    } else {
      const s = j;
      while (j < rest.length && isTokenChar(rest.charCodeAt(j))) j++;
      if (j === s) throw cpimError(`header parameter ${name} has no value in ${show(line)}`);
      value = rest.slice(s, j);
    }
    params.push([name, value]);
    i = j;
  }
  // a single SP follows (RFC 3862 §3), tolerated when missing; the rest is the value, octet for octet
  return [params, rest.charCodeAt(i) === 0x20 ? rest.slice(i + 1) : rest.slice(i)];
}

function checkHeaderValue(value: string, name: string): void {
  for (let i = 0; i < value.length; i++) {
    if (isCtl(value.charCodeAt(i))) throw new RangeError(`CPIM header ${name}: control character at index ${i} (encode it with encodeCpimValue)`);
  }
}

function formatHeader(h: CpimHeader): string {
  if (!isCpimHeaderName(h.name)) throw new RangeError(`${JSON.stringify(h.name)} is not a CPIM header name`);
  checkHeaderValue(h.value, h.name);
  let s = `${h.name}:`;
  for (const [name, value] of h.params ?? []) {
    if (!isName(name)) throw new RangeError(`CPIM header ${h.name}: parameter name ${JSON.stringify(name)} is not a Name`);
    s += `;${name}=${isCpimToken(value) ? value : `"${encodeCpimValue(value, true)}"`}`;
  }
  return `${s} ${h.value}\r\n`;
}

// ---------------------------------------------------------------------------
// Namespaces (RFC 3862 §3.4)

/**
 * Values of the headers named `name` in namespace `namespaceUri`, resolving
 * prefixes through the NS headers that precede each header (§3.4: a
 * declaration precedes any use). Unprefixed names belong to the default
 * namespace, `urn:ietf:params:cpim-headers:` unless an NS without prefix says
 * otherwise.
 */
export function cpimHeaders(headers: readonly CpimHeader[], namespaceUri: string, name: string): CpimHeader[] {
  const prefixes = new Map<string, string>();
  let defaultNs = CPIM_HEADERS_NS;
  const found: CpimHeader[] = [];
  for (const h of headers) {
    if (h.name === 'NS') {
      const ns = parseNamespace(h.value);
      if (ns.prefix === null) defaultNs = ns.uri;
      else prefixes.set(ns.prefix, ns.uri);
      if (namespaceUri === CPIM_HEADERS_NS && name === 'NS') found.push(h);
      continue;
    }
    const dot = h.name.indexOf('.');
    const ns = dot < 0 ? defaultNs : prefixes.get(h.name.slice(0, dot));
    if (ns === namespaceUri && h.name.slice(dot + 1) === name) found.push(h);
  }
  return found;
}

function parseNamespace(value: string): CpimNamespace {
  const [prefix, uri] = readNameAndUri(value, 'NS');
  if (prefix !== null && !isName(prefix)) throw cpimError(`NS: prefix ${show(prefix)} is not a Name`);
  return { prefix, uri };
}

// ---------------------------------------------------------------------------
// Unwrap and wrap

/** Options for `unwrapCpim`. */
export interface CpimUnwrapOptions {
  /** bound on each header block, in octets */
  maxHeaderBytes?: number;
}

/**
 * Parses a Message/CPIM body (the octets an MSRP SEND of type message/cpim
 * carries): message headers, blank line, MIME headers, blank line, content.
 * Throws MsrpParseError (code MSRP_ERR_CPIM, statusCode 400) on malformed input.
 */
export function unwrapCpim(body: Buffer, options: CpimUnwrapOptions = {}): CpimMessage {
  const blocks = readBlocks(body, options.maxHeaderBytes ?? MAX_MIME_HEADER_BYTES);
  if (blocks === null) throw cpimError('no content: the body ends inside the CPIM headers');
  return { ...headOf(blocks), content: body.subarray(blocks.mime.end) };
}

/** The header blocks of a Message/CPIM body, without its content. */
export type CpimHead = Omit<CpimMessage, 'content'>;

/**
 * The header blocks at the start of a Message/CPIM body whose rest may not
 * have arrived yet (the first chunk of a message: RFC 3862 §2 puts the
 * headers first). Null when `start` ends before the blank line that closes
 * the MIME headers; only whole lines are read, since the chunk may end inside
 * one. Throws MsrpParseError as unwrapCpim does for malformed headers.
 */
export function readCpimHead(start: Buffer, options: CpimUnwrapOptions = {}): CpimHead | null {
  const whole = start.subarray(0, start.lastIndexOf(LF) + 1);
  const blocks = readBlocks(whole, options.maxHeaderBytes ?? MAX_MIME_HEADER_BYTES);
  if (blocks === null || !blocks.mime.terminated) return null;
  return headOf(blocks);
}

interface Blocks {
  headers: CpimHeader[];
  mime: MimeHeaderBlock;
  blankLineMissing: boolean;
}

/** The message headers and the MIME header block; null when the body ends inside the message headers. */
function readBlocks(body: Buffer, maxBytes: number): Blocks | null {
  const headers: CpimHeader[] = [];
  let i = 0;
  let mimeStart = -1;
  let blankLineMissing = false;
  while (i < body.length) {
    if (i > maxBytes) throw cpimError(`message headers longer than ${maxBytes} octets`);
    const [s, e, next] = lineAt(body, i);
    if (s === e) {
      mimeStart = next;
      break;
    }
    const line = body.toString('utf8', s, e);
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    if (name.length > 8 && name.slice(0, 8).toLowerCase() === 'content-' && name.indexOf('.') < 0) {
      // RFC 4975 §11.4: the MIME headers follow without the blank line
      mimeStart = s;
      blankLineMissing = true;
      break;
    }
    if (colon < 0 || !isCpimHeaderName(name)) throw cpimError(`not a CPIM header line: ${show(line)}`);
    const [params, value] = readParamsAndValue(line.slice(colon + 1), line);
    headers.push(params.length > 0 ? { name, params, value } : { name, value });
    i = next;
  }
  if (mimeStart < 0) return null;
  const mime = readMimeHeaders(body, mimeStart, 'MSRP_ERR_CPIM', 'CPIM content headers', maxBytes);
  return { headers, mime, blankLineMissing };
}

function headOf({ headers, mime, blankLineMissing }: Blocks): CpimHead {
  return {
    headers, contentHeaders: mime.headers, contentType: mimeHeader(mime.headers, 'Content-Type'), ...typedFields(headers),
    blankLineMissing,
  };
}

function typedFields(headers: CpimHeader[]): Pick<CpimMessage, 'from' | 'to' | 'cc' | 'dateTime' | 'subject' | 'namespaces' | 'require'> {
  const get = (name: string) => cpimHeaders(headers, CPIM_HEADERS_NS, name);
  const from = get('From');
  const dateTime = get('DateTime');
  return {
    from: from.length > 0 ? parseCpimAddress(from[0].value) : null,
    to: get('To').map((h) => parseCpimAddress(h.value)),
    cc: get('cc').map((h) => parseCpimAddress(h.value)),
    dateTime: dateTime.length > 0 ? parseCpimDateTime(dateTime[0].value) : null,
    subject: get('Subject').map((h) => ({
      text: decodeCpimValue(h.value),
      lang: h.params?.find(([n]) => n === 'lang')?.[1] ?? null,
    })),
    namespaces: get('NS').map((h) => parseNamespace(h.value)),
    require: get('Require').flatMap((h) => h.value.split(',').map(trimWs).filter((n) => n !== '')),
  };
}

/**
 * Builds a Message/CPIM body around `content` (a string is UTF-8 encoded).
 * CRLF throughout, a blank line after the message headers and after the MIME
 * headers (RFC 3862 §2). Throws RangeError for values the syntax cannot carry.
 */
export function wrapCpim(content: Buffer | string, options: CpimWrapOptions): Buffer {
  const headers: CpimHeader[] = [];
  if (options.from != null) headers.push({ name: 'From', value: formatCpimAddress(options.from) });
  for (const to of options.to ?? []) headers.push({ name: 'To', value: formatCpimAddress(to) });
  for (const cc of options.cc ?? []) headers.push({ name: 'cc', value: formatCpimAddress(cc) });
  for (const ns of options.namespaces ?? []) {
    if (ns.prefix !== null && !isName(ns.prefix)) throw new RangeError(`NS prefix ${JSON.stringify(ns.prefix)} is not a Name`);
    headers.push({ name: 'NS', value: `${ns.prefix === null ? '' : `${ns.prefix} `}<${checkUri(ns.uri)}>` });
  }
  if (options.dateTime != null) headers.push({ name: 'DateTime', value: formatCpimDateTime(options.dateTime) });
  const subjects = options.subject === undefined ? [] : typeof options.subject === 'string'
    ? [{ text: options.subject, lang: null }] : Array.isArray(options.subject) ? options.subject : [options.subject];
  for (const { text, lang } of subjects) {
    headers.push(lang === null ? { name: 'Subject', value: encodeCpimValue(text) } : { name: 'Subject', params: [['lang', lang]], value: encodeCpimValue(text) });
  }
  if (options.require !== undefined && options.require.length > 0) {
    for (const r of options.require) if (!isCpimHeaderName(r)) throw new RangeError(`Require: ${JSON.stringify(r)} is not a header name`);
    headers.push({ name: 'Require', value: options.require.join(',') });
  }
  if (options.headers !== undefined) headers.push(...options.headers);
  const contentHeaders = options.contentHeaders ?? [];
  const contentType = options.contentType ?? mimeHeader(contentHeaders, 'Content-Type');
  try {
    parseContentType(contentType ?? '');
  } catch {
    throw new RangeError(`Content-Type ${JSON.stringify(contentType)} is not a media type (RFC 3862 §2.4 requires one)`);
  }
  let head = '';
  for (const h of headers) head += formatHeader(h);
  const mime = options.contentType === undefined ? contentHeaders : [{ name: 'Content-Type', value: options.contentType }, ...contentHeaders];
  head += `\r\n${formatMimeHeaders(mime)}\r\n`;
  const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return Buffer.concat([Buffer.from(head, 'utf8'), body]);
}
