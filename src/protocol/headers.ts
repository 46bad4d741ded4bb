/**
 * Typed codecs for MSRP header values (RFC 4975 §9, RFC 4976 §7, RFC 7701 §7.1).
 * Each `parse*` takes the value as it follows "name:" on the wire and throws
 * MsrpParseError (code MSRP_ERR_HEADER, statusCode 400 unless the RFC names
 * another) on bad input; each `format*` gives the wire value back, and
 * `parse(format(x))` equals `x`.
 *
 * Parsing is liberal where it is harmless (RFC examples put two spaces after
 * the colon, or several between path URIs): surrounding SP/HTAB is trimmed and
 * separators may be runs of whitespace. Hand-written scanners, no regexes.
 */
import { HeaderId } from '../core/constants.ts';
import { createParseError, MsrpParseError, MsrpUriError } from '../errors.ts';
import { isToken, MsrpUri, parseUriRange, scanToken } from './uri.ts';

/** Success-Report / Failure-Report values (RFC 4975 §9). */
export type ReportValue = 'yes' | 'no' | 'partial';

/** RFC 4975 §9 `Byte-Range`: 1-based inclusive positions; `*` for unknown. */
export interface ByteRange {
  start: number;
  end: number | '*';
  total: number | '*';
}

/** RFC 4975 §9 `Status`: namespace 000 means `code` is an MSRP response code (§7.1.3). */
export interface MsrpStatus {
  namespace: number;
  code: number;
  comment: string | null;
}

/** A media type (RFC 4975 §9 `media-type`): type/subtype lower-cased, parameter names lower-cased. */
export interface ContentType {
  type: string;
  subtype: string;
  /** parameters in order, values unquoted; a bare name has the value '' */
  params: Array<[string, string]>;
}

/** Content-Disposition (RFC 2183): the disposition type lower-cased and its parameters. */
export interface ContentDisposition {
  type: string;
  /** parameters in order, names lower-cased, values unquoted; a bare name has the value '' */
  params: Array<[string, string]>;
}

/** A parsed WWW-Authenticate, Authorization or Authentication-Info value (RFC 4976 §7). */
export interface DigestValue {
  /** auth scheme as written (`Digest`), '' for Authentication-Info, which has none */
  scheme: string;
  /** parameters by lower-cased name, values unquoted */
  params: Map<string, string>;
}

/** Largest integer a Byte-Range or Expires value may hold (2^53 - 1). */
export const MAX_HEADER_INTEGER = Number.MAX_SAFE_INTEGER;

function headerError(message: string, statusCode = 400): MsrpParseError {
  return createParseError('MSRP_ERR_HEADER', message, statusCode);
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `v` without surrounding SP/HTAB. */
function trimWs(v: string): string {
  let s = 0;
  let e = v.length;
  while (s < e && isWs(v.charCodeAt(s))) s++;
  while (e > s && isWs(v.charCodeAt(e - 1))) e--;
  return s === 0 && e === v.length ? v : v.slice(s, e);
}

function skipWs(v: string, i: number): number {
  while (i < v.length && isWs(v.charCodeAt(i))) i++;
  return i;
}

/** True for control characters other than HTAB (outside RFC 4975 §9 `utf8text`). */
function isControl(c: number): boolean {
  return (c < 0x20 && c !== 0x09) || c === 0x7f;
}

/** Throws when `v` holds a character outside `utf8text`. */
function checkText(v: string, what: string): string {
  for (let i = 0; i < v.length; i++) {
    if (isControl(v.charCodeAt(i))) throw headerError(`${what} contains control character ${JSON.stringify(v[i])} at index ${i}`);
  }
  return v;
}

function show(v: string): string {
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
}

/**
 * Reads an RFC 4975 §9 quoted-string whose DQUOTE is at `i`; returns the
 * unescaped value and the index after the closing DQUOTE. A backslash may
 * escape any character (RFC 7616 §3.1 via RFC 7230 quoted-pair), a superset of
 * the `qd-esc` of RFC 4975.
 */
function readQuoted(v: string, i: number, what: string): [string, number] {
  let out = '';
  let j = i + 1;
  let run = j;
  while (j < v.length) {
    const c = v.charCodeAt(j);
    if (c === 0x22) return [out + v.slice(run, j), j + 1];
    if (c === 0x5c) {
      if (j + 1 >= v.length) break;
      if (isControl(v.charCodeAt(j + 1))) throw headerError(`${what}: control character after "\\" at index ${j + 1} in ${show(v)}`);
      out += v.slice(run, j) + v[j + 1];
      j += 2;
      run = j;
    } else if (isControl(c)) {
      throw headerError(`${what}: control character in quoted-string at index ${j} in ${show(v)}`);
    } else {
      j++;
    }
  }
  throw headerError(`${what}: unterminated quoted-string starting at index ${i} in ${show(v)}`);
}

/** Wire form of a quoted-string (RFC 4975 §9): `\` and `"` escaped. */
export function formatQuoted(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (isControl(s.charCodeAt(i))) throw new RangeError(`control character at index ${i} cannot be quoted`);
  }
  let out = '"';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) {
      out += `${s.slice(run, i)}\\`;
      run = i;
    }
  }
  return `${out}${s.slice(run)}"`;
}

// ---------------------------------------------------------------------------
// To-Path, From-Path (RFC 4975 §9), Use-Path (RFC 4976 §7)

/**
 * `MSRP-URI *(SP MSRP-URI)`, accepting runs of SP/HTAB as separators. Called
 * for every chunk: URIs are parsed in place, without splitting the string.
 */
export function parsePath(v: string): MsrpUri[] {
  const end = v.length;
  let i = skipWs(v, 0);
  const uris: MsrpUri[] = [];
  let nextAt = -2; // where the next "@" is; searched again only once passed
  while (i < end) {
    let j = i;
    while (j < end && !isWs(v.charCodeAt(j))) j++;
    if (nextAt !== -1 && nextAt < i) nextAt = v.indexOf('@', i);
    try {
      uris.push(parseUriRange(v, i, j, nextAt));
    } catch (err) {
      if (err instanceof MsrpUriError) throw headerError(`invalid URI in path: ${err.message}`);
      throw err;
    }
    i = skipWs(v, j);
  }
  if (uris.length === 0) throw headerError('path is empty: at least one MSRP URI is required');
  return uris;
}

/** Wire form of a path: URIs separated by one SP. */
export function formatPath(uris: readonly MsrpUri[]): string {
  if (uris.length === 0) throw new RangeError('a path needs at least one URI');
  let s = uris[0].toString();
  for (let i = 1; i < uris.length; i++) s += ` ${uris[i].toString()}`;
  return s;
}

// ---------------------------------------------------------------------------
// Byte-Range (RFC 4975 §9, meaning in §7.1.1)

/** Where the last readNumber or rangeField stopped (no [value, index] pair made per number). */
let scanned = 0;

/**
 * Reads `1*DIGIT` at `i` (the index after it goes to `scanned`): its value,
 * -1 when no digit, -2 when above 2^53-1. Digits are summed in place: the sum
 * is exact up to 2^53 and stays above 2^53-1 once past it, as Number() of
 * the digits would.
 */
function readNumber(v: string, i: number): number {
  const s = i;
  let n = 0;
  for (let c = v.charCodeAt(i); i < v.length && isDigit(c); c = v.charCodeAt(++i)) n = n * 10 + (c - 0x30);
  scanned = i;
  if (i === s) return -1;
  return n > MAX_HEADER_INTEGER ? -2 : n;
}

/** A Byte-Range field at `i` (the index after it goes to `scanned`). */
function rangeField(v: string, i: number, name: string, star: boolean): number | '*' {
  if (star && v.charCodeAt(i) === 0x2a) {
    scanned = i + 1;
    return '*';
  }
  const n = readNumber(v, i);
  if (n === -1) throw headerError(`Byte-Range ${show(v)}: ${name} is not digits${star ? ' or "*"' : ''} at index ${i}`);
  if (n === -2) throw headerError(`Byte-Range ${show(v)}: ${name} is above 2^53-1`);
  return n;
}

/**
 * `range-start "-" range-end "/" total`. Also rejects ranges that cannot be
 * meant: range-start below 1 (positions start at one, RFC 4975 §7.1.1; an
 * empty body is "1-0/0"), range-end before range-start - 1, or past total.
 */
export function parseByteRange(v: string): ByteRange {
  v = trimWs(v);
  const start = rangeField(v, 0, 'range-start', false);
  const a = scanned;
  if (v.charCodeAt(a) !== 0x2d) throw headerError(`Byte-Range ${show(v)}: expected "-" after range-start at index ${a}`);
  const end = rangeField(v, a + 1, 'range-end', true);
  const b = scanned;
  if (v.charCodeAt(b) !== 0x2f) throw headerError(`Byte-Range ${show(v)}: expected "/" after range-end at index ${b}`);
  const total = rangeField(v, b + 1, 'total', true);
  const c = scanned;
  if (c !== v.length) throw headerError(`Byte-Range ${show(v)}: unexpected characters after total at index ${c}`);
  const range: ByteRange = { start: start as number, end, total };
  const problem = byteRangeProblem(range);
  if (problem) throw headerError(`Byte-Range ${show(v)}: ${problem}`);
  return range;
}

/** Why `r` is not a meaningful Byte-Range, or null when it is. */
function byteRangeProblem(r: ByteRange): string | null {
  if (r.start < 1) return 'range-start must be at least 1 (RFC 4975 §7.1.1)';
  if (r.end !== '*' && r.end < r.start - 1) return 'range-end is before range-start';
  if (r.total !== '*') {
    if (r.end !== '*' && r.end > r.total) return 'range-end is past total';
    if (r.start - 1 > r.total) return 'range-start is past total';
  }
  return null;
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** Wire form `start-end/total`; throws RangeError for values the parser would reject. */
export function formatByteRange(r: ByteRange): string {
  if (!isCount(r.start) || (r.end !== '*' && !isCount(r.end)) || (r.total !== '*' && !isCount(r.total))) {
    throw new RangeError('Byte-Range values must be integers from 0 to 2^53-1 or "*"');
  }
  const problem = byteRangeProblem(r);
  if (problem) throw new RangeError(`Byte-Range: ${problem}`);
  return `${r.start}-${r.end}/${r.total}`;
}

// ---------------------------------------------------------------------------
// Status (RFC 4975 §9), Success-Report, Failure-Report

function readThreeDigits(v: string, i: number, what: string): number {
  if (i + 3 > v.length || !isDigit(v.charCodeAt(i)) || !isDigit(v.charCodeAt(i + 1)) || !isDigit(v.charCodeAt(i + 2))) {
    throw headerError(`Status ${show(v)}: ${what} is not three digits at index ${i}`);
  }
  return (v.charCodeAt(i) - 0x30) * 100 + (v.charCodeAt(i + 1) - 0x30) * 10 + v.charCodeAt(i + 2) - 0x30;
}

/** `namespace SP status-code [SP comment]`; any three-digit namespace is accepted. */
export function parseStatus(v: string): MsrpStatus {
  v = trimWs(v);
  const namespace = readThreeDigits(v, 0, 'namespace');
  if (!isWs(v.charCodeAt(3))) throw headerError(`Status ${show(v)}: expected SP after the namespace at index 3`);
  const i = skipWs(v, 3);
  const code = readThreeDigits(v, i, 'status-code');
  let comment: string | null = null;
  if (i + 3 < v.length) {
    if (!isWs(v.charCodeAt(i + 3))) throw headerError(`Status ${show(v)}: expected SP after the status-code at index ${i + 3}`);
    comment = checkText(v.slice(skipWs(v, i + 3)), 'Status comment');
  }
  return { namespace, code, comment };
}

function pad3(n: number, what: string): string {
  if (!Number.isInteger(n) || n < 0 || n > 999) throw new RangeError(`Status ${what} must be an integer from 0 to 999`);
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`;
}

/** Wire form `NNN NNN[ comment]`. */
export function formatStatus(s: MsrpStatus): string {
  const head = `${pad3(s.namespace, 'namespace')} ${pad3(s.code, 'code')}`;
  if (s.comment === null || s.comment === '') return head;
  for (let i = 0; i < s.comment.length; i++) {
    if (isControl(s.comment.charCodeAt(i))) throw new RangeError('Status comment contains a control character');
  }
  return `${head} ${s.comment}`;
}

/**
 * The MSRP response code a Status stands for: namespace 000 is interpreted
 * exactly as a transaction response with that code (RFC 4975 §7.3.2); other
 * namespaces belong to extensions, and give null.
 */
export function statusResponseCode(s: MsrpStatus): number | null {
  return s.namespace === 0 ? s.code : null;
}

/** `yes` / `no` / `partial`, case-insensitive (ABNF literals are). */
export function parseReport(v: string): ReportValue {
  const t = trimWs(v).toLowerCase();
  if (t === 'yes' || t === 'no' || t === 'partial') return t;
  throw headerError(`report value ${show(v)} is not "yes", "no" or "partial"`);
}

/** Success-Report: `yes` / `no` only (RFC 4975 §9). */
export function parseSuccessReport(v: string): 'yes' | 'no' {
  const r = parseReport(v);
  if (r === 'partial') throw headerError('Success-Report value "partial" is not allowed (only "yes" or "no")');
  return r;
}

/** Failure-Report: `yes` / `no` / `partial` (RFC 4975 §9). */
export const parseFailureReport: (v: string) => ReportValue = parseReport;

// ---------------------------------------------------------------------------
// Message-ID (RFC 4975 §9 `ident`)

/** RFC 4975 §9 ident characters by code: IDENT_FIRST for ALPHANUM (which may start one), IDENT_REST for "." "-" "+" "%" "=". */
const IDENT_CHAR = new Uint8Array(128);
const IDENT_FIRST = 1;
const IDENT_REST = 2;
for (let c = 0; c < 128; c++) {
  if (isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a)) IDENT_CHAR[c] = IDENT_FIRST;
  else if (c === 0x2e || c === 0x2d || c === 0x2b || c === 0x25 || c === 0x3d) IDENT_CHAR[c] = IDENT_REST;
}

/**
 * True when `s` is an RFC 4975 §9 `ident`: ALPHANUM then 3 to 31 of ALPHANUM / "." / "-" / "+" / "%" / "=".
 * A table lookup per character: every chat message's Message-ID is checked on both sides.
 */
export function isIdent(s: string): boolean {
  const n = s.length;
  if (n < 4 || n > 32) return false;
  const first = s.charCodeAt(0);
  if (first > 0x7f || IDENT_CHAR[first] !== IDENT_FIRST) return false;
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || IDENT_CHAR[c] === 0) return false;
  }
  return true;
}

/** Message-ID: an `ident`, returned trimmed. */
export function parseMessageId(v: string): string {
  const t = trimWs(v);
  if (!isIdent(t)) throw headerError(`Message-ID ${show(v)} is not an ident (4 to 32 characters: a letter or digit, then letters, digits, ".", "-", "+", "%", "=")`);
  return t;
}

// ---------------------------------------------------------------------------
// Content-Type (RFC 4975 §9 `media-type`), Content-Disposition (RFC 2183)

/**
 * Reads `*( ";" pname [ "=" pval ] )` from `i`, whitespace allowed around the
 * separators (common MIME practice), a trailing ";" tolerated. Names are
 * lower-cased and must be distinct.
 */
function readParams(v: string, i: number, what: string): Array<[string, string]> {
  const params: Array<[string, string]> = [];
  for (;;) {
    i = skipWs(v, i);
    if (i >= v.length) return params;
    if (v.charCodeAt(i) !== 0x3b) throw headerError(`${what} ${show(v)}: expected ";" at index ${i}`);
    i = skipWs(v, i + 1);
    if (i >= v.length) return params;
    const ns = i;
    i = scanToken(v, i);
    if (i === ns) throw headerError(`${what} ${show(v)}: parameter name is not a token at index ${i}`);
    const name = v.slice(ns, i).toLowerCase();
    let value = '';
    const k = skipWs(v, i);
    if (v.charCodeAt(k) === 0x3d) {
      i = skipWs(v, k + 1);
      if (v.charCodeAt(i) === 0x22) {
        [value, i] = readQuoted(v, i, what);
      } else {
        const vs = i;
        i = scanToken(v, i);
        if (i === vs) throw headerError(`${what} ${show(v)}: parameter value is not a token or quoted-string at index ${i}`);
        value = v.slice(vs, i);
      }
    }
    // a parameter may appear once (RFC 6838 §4.3, RFC 2183 §2)
    for (const [seen] of params) {
      if (seen === name) throw headerError(`${what} ${show(v)}: parameter ${name} appears twice`);
    }
    params.push([name, value]);
  }
}

function formatParams(params: ReadonlyArray<readonly [string, string]>): string {
  let s = '';
  for (const [name, value] of params) {
    if (!isToken(name)) throw new RangeError(`parameter name ${JSON.stringify(name)} is not a token`);
    s += value === '' ? `;${name}` : `;${name}=${isToken(value) ? value : formatQuoted(value)}`;
  }
  return s;
}

function readTypeToken(v: string, i: number, what: string, part: string): [string, number] {
  const e = scanToken(v, i);
  if (e === i) throw headerError(`${what} ${show(v)}: ${part} is not a token at index ${i}`);
  return [v.slice(i, e).toLowerCase(), e];
}

/** `type "/" subtype *( ";" gen-param )`, e.g. `text/plain; charset=utf-8`. */
export function parseContentType(v: string): ContentType {
  v = trimWs(v);
  const [type, a] = readTypeToken(v, 0, 'Content-Type', 'type');
  if (v.charCodeAt(a) !== 0x2f) throw headerError(`Content-Type ${show(v)}: expected "/" after the type at index ${a}`);
  const [subtype, b] = readTypeToken(v, a + 1, 'Content-Type', 'subtype');
  return { type, subtype, params: readParams(v, b, 'Content-Type') };
}

/** Wire form `type/subtype;name=value` (values quoted when they are not tokens). */
export function formatContentType(c: ContentType): string {
  if (!isToken(c.type) || !isToken(c.subtype)) throw new RangeError('Content-Type type and subtype must be tokens');
  return `${c.type}/${c.subtype}${formatParams(c.params)}`;
}

/**
 * Whether a content type is acceptable under one accept-types entry (RFC 4975
 * §8.6): `*` matches everything, `type/*` any subtype of type, otherwise type
 * and subtype must be equal. Parameters do not prevent a match ("a format-entry
 * with one or more parameters is assumed to match the same format-entry with no
 * parameters"), unless both sides name the same parameter with different values.
 */
export function mediaTypeMatches(pattern: string, type: ContentType | string): boolean {
  const p = trimWs(pattern);
  if (p === '*') return true;
  const want = parseContentType(p);
  const have = typeof type === 'string' ? parseContentType(type) : type;
  if (want.type !== '*' && want.type !== have.type.toLowerCase()) return false;
  if (want.subtype !== '*' && want.subtype !== have.subtype.toLowerCase()) return false;
  for (const [name, value] of want.params) {
    for (const [otherName, otherValue] of have.params) {
      if (otherName.toLowerCase() === name && otherValue.toLowerCase() !== value.toLowerCase()) return false;
    }
  }
  return true;
}

/** `disposition-type *( ";" disposition-parm )` (RFC 2183 §2), e.g. `render; filename="a.jpg"`. */
export function parseContentDisposition(v: string): ContentDisposition {
  v = trimWs(v);
  const [type, a] = readTypeToken(v, 0, 'Content-Disposition', 'disposition type');
  return { type, params: readParams(v, a, 'Content-Disposition') };
}

/** Wire form of a Content-Disposition. */
export function formatContentDisposition(d: ContentDisposition): string {
  if (!isToken(d.type)) throw new RangeError('Content-Disposition type must be a token');
  return `${d.type}${formatParams(d.params)}`;
}

/**
 * Content-ID: `"<" id ">"` (RFC 2045 §7 msg-id); returns the id without the
 * angle brackets. The id is any run of visible characters other than `<` `>`.
 */
export function parseContentId(v: string): string {
  const t = trimWs(v);
  if (t.length < 3 || t.charCodeAt(0) !== 0x3c || t.charCodeAt(t.length - 1) !== 0x3e) {
    throw headerError(`Content-ID ${show(v)} is not of the form "<id>"`);
  }
  for (let i = 1; i < t.length - 1; i++) {
    const c = t.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x3c || c === 0x3e) {
      throw headerError(`Content-ID ${show(v)}: invalid character ${JSON.stringify(t[i])} at index ${i}`);
    }
  }
  return t.slice(1, -1);
}

/** Wire form `<id>`. */
export function formatContentId(id: string): string {
  if (id.length === 0) throw new RangeError('Content-ID must not be empty');
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x3c || c === 0x3e) throw new RangeError(`invalid Content-ID character at index ${i}`);
  }
  return `<${id}>`;
}

/** Content-Description: free text (`utf8text`), trimmed. */
export function parseContentDescription(v: string): string {
  return checkText(trimWs(v), 'Content-Description');
}

// ---------------------------------------------------------------------------
// Expires, Min-Expires, Max-Expires (RFC 4976 §7)

/** `1*DIGIT` seconds; serves Expires, Min-Expires and Max-Expires alike. */
export function parseExpires(v: string): number {
  const t = trimWs(v);
  const n = readNumber(t, 0);
  if (n === -1 || scanned !== t.length) throw headerError(`expiry ${show(v)} is not a whole number of seconds`);
  if (n === -2) throw headerError(`expiry ${show(v)} is above 2^53-1`);
  return n;
}

/** Wire form of an expiry in seconds. */
export function formatExpires(seconds: number): string {
  if (!isCount(seconds)) throw new RangeError('expiry must be an integer from 0 to 2^53-1');
  return String(seconds);
}

// ---------------------------------------------------------------------------
// Use-Nickname (RFC 7701 §7.1)

/** Longest nickname: `1*1023(qdtext / qd-esc)` (RFC 7701 §7.1), counted in characters. */
export const MAX_NICKNAME_LENGTH = 1023;

/**
 * `DQUOTE 1*1023(qdtext / qd-esc) DQUOTE`, returned unescaped. A malformed
 * value is answered 424 Malformed Nickname, not 400 (RFC 7701 §7.1).
 */
export function parseUseNickname(v: string): string {
  const t = trimWs(v);
  if (t.charCodeAt(0) !== 0x22) throw headerError(`Use-Nickname ${show(v)} is not a quoted-string`, 424);
  let nickname: string;
  let end: number;
  try {
    [nickname, end] = readQuoted(t, 0, 'Use-Nickname');
  } catch (err) {
    throw headerError((err as Error).message, 424);
  }
  if (end !== t.length) throw headerError(`Use-Nickname ${show(v)}: unexpected characters after the closing quote`, 424);
  let count = 0;
  for (const _ of nickname) count++;
  if (count === 0) throw headerError('Use-Nickname is empty', 424);
  if (count > MAX_NICKNAME_LENGTH) throw headerError(`Use-Nickname is longer than ${MAX_NICKNAME_LENGTH} characters`, 424);
  return nickname;
}

/** Wire form: the nickname as a quoted-string. */
export function formatUseNickname(nickname: string): string {
  let count = 0;
  for (const _ of nickname) count++;
  if (count === 0 || count > MAX_NICKNAME_LENGTH) throw new RangeError(`a nickname has 1 to ${MAX_NICKNAME_LENGTH} characters`);
  return formatQuoted(nickname);
}

// ---------------------------------------------------------------------------
// WWW-Authenticate, Authorization, Authentication-Info (RFC 4976 §7, RFC 7616 §3)

/**
 * `Digest SP param *("," SP param)`, or for Authentication-Info just the
 * parameter list (no scheme). Names are lower-cased; each may appear once.
 * Whitespace around "," and "=" and empty list elements are tolerated.
 */
export function parseDigest(v: string): DigestValue {
  v = trimWs(v);
  let i = scanToken(v, 0);
  if (i === 0) throw headerError(`digest value ${show(v)}: expected an auth scheme or parameter at index 0`);
  let scheme = '';
  if (v.charCodeAt(i) === 0x3d) {
    i = 0; // Authentication-Info: the first token is a parameter name
  } else {
    scheme = v.slice(0, i);
    if (i < v.length && !isWs(v.charCodeAt(i))) throw headerError(`digest value ${show(v)}: expected SP after the auth scheme at index ${i}`);
  }
  const params = new Map<string, string>();
  for (;;) {
    i = skipWs(v, i);
    if (i >= v.length) return { scheme, params };
    if (v.charCodeAt(i) === 0x2c) {
      i++;
      continue;
    }
    const ns = i;
    i = scanToken(v, i);
    if (i === ns) throw headerError(`digest value ${show(v)}: parameter name is not a token at index ${i}`);
    const name = v.slice(ns, i).toLowerCase();
    i = skipWs(v, i);
    if (v.charCodeAt(i) !== 0x3d) throw headerError(`digest value ${show(v)}: expected "=" after ${name} at index ${i}`);
    i = skipWs(v, i + 1);
    let value: string;
    if (v.charCodeAt(i) === 0x22) {
      [value, i] = readQuoted(v, i, 'digest value');
    } else {
      const vs = i;
      i = scanToken(v, i);
      if (i === vs) throw headerError(`digest value ${show(v)}: value of ${name} is not a token or quoted-string at index ${i}`);
      value = v.slice(vs, i);
    }
    if (params.has(name)) throw headerError(`digest value ${show(v)}: parameter ${name} appears twice`);
    params.set(name, value);
    i = skipWs(v, i);
    if (i < v.length && v.charCodeAt(i) !== 0x2c) throw headerError(`digest value ${show(v)}: expected "," at index ${i}`);
  }
}

// Parameters RFC 4976 §7 / RFC 7616 §3 write as bare tokens; all others are quoted.
const DIGEST_TOKEN_PARAMS = new Set(['algorithm', 'stale', 'nc']);

/**
 * Wire form of a digest header. `algorithm`, `stale` and `nc` are written as
 * tokens, every other parameter as a quoted-string, except `qop`, which is a
 * quoted list in a challenge (`qop-options`) but a token in credentials and
 * Authentication-Info (`message-qop`). A challenge is a value with a scheme
 * and no `username`; pass `challenge` to say so explicitly.
 */
export function formatDigest(scheme: string, params: ReadonlyMap<string, string>, challenge?: boolean): string {
  if (scheme !== '' && !isToken(scheme)) throw new RangeError('auth scheme must be a token');
  const isChallenge = challenge ?? (scheme !== '' && !params.has('username'));
  const parts: string[] = [];
  for (const [name, value] of params) {
    if (!isToken(name)) throw new RangeError(`digest parameter name ${JSON.stringify(name)} is not a token`);
    const bare = DIGEST_TOKEN_PARAMS.has(name) || (name === 'qop' && !isChallenge);
    parts.push(`${name}=${bare && isToken(value) ? value : formatQuoted(value)}`);
  }
  const list = parts.join(', ');
  return scheme === '' ? list : list === '' ? scheme : `${scheme} ${list}`;
}

// ---------------------------------------------------------------------------
// Header names

/** Canonical spelling of each known header (RFC 4975 §9, RFC 4976 §7, RFC 7701 §7.1); '' for UNKNOWN. */
export const HEADER_NAMES: Readonly<Record<HeaderId, string>> = {
  [HeaderId.UNKNOWN]: '',
  [HeaderId.TO_PATH]: 'To-Path',
  [HeaderId.FROM_PATH]: 'From-Path',
  [HeaderId.MESSAGE_ID]: 'Message-ID',
  [HeaderId.SUCCESS_REPORT]: 'Success-Report',
  [HeaderId.FAILURE_REPORT]: 'Failure-Report',
  [HeaderId.BYTE_RANGE]: 'Byte-Range',
  [HeaderId.STATUS]: 'Status',
  [HeaderId.CONTENT_TYPE]: 'Content-Type',
  [HeaderId.CONTENT_ID]: 'Content-ID',
  [HeaderId.CONTENT_DESCRIPTION]: 'Content-Description',
  [HeaderId.CONTENT_DISPOSITION]: 'Content-Disposition',
  [HeaderId.USE_PATH]: 'Use-Path',
  [HeaderId.WWW_AUTHENTICATE]: 'WWW-Authenticate',
  [HeaderId.AUTHORIZATION]: 'Authorization',
  [HeaderId.AUTHENTICATION_INFO]: 'Authentication-Info',
  [HeaderId.EXPIRES]: 'Expires',
  [HeaderId.MIN_EXPIRES]: 'Min-Expires',
  [HeaderId.MAX_EXPIRES]: 'Max-Expires',
  [HeaderId.USE_NICKNAME]: 'Use-Nickname',
};

// exact canonical spellings first (the common case on the wire), then lower-cased
const ID_BY_NAME = new Map<string, HeaderId>();
for (const [id, name] of Object.entries(HEADER_NAMES)) {
  if (name === '') continue;
  ID_BY_NAME.set(name, Number(id) as HeaderId);
  ID_BY_NAME.set(name.toLowerCase(), Number(id) as HeaderId);
}

/** The HeaderId of a header name, matched case-insensitively; HeaderId.UNKNOWN for others. */
export function headerId(name: string): HeaderId {
  return ID_BY_NAME.get(name) ?? ID_BY_NAME.get(name.toLowerCase()) ?? HeaderId.UNKNOWN;
}

/** The canonical spelling of a known header name, or `name` as given for an unknown one. */
export function canonicalHeaderName(name: string): string {
  const id = headerId(name);
  return id === HeaderId.UNKNOWN ? name : HEADER_NAMES[id];
}
