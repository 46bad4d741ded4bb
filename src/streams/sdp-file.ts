/**
 * The RFC 5547 §6 file-transfer attributes of an MSRP media description:
 * file-selector (name, type, size, hash), file-transfer-id, file-disposition,
 * file-date, file-icon and file-range. Used by sdp.ts; the values are kept as
 * the RFC defines them (dates as the RFC 5322 strings the peer wrote).
 */
import { formatContentType, parseContentType } from '../protocol/headers.ts';

/** A `hash` selector: algorithm from the IANA Hash Function Textual Names (`sha-1`), value upper-case hex pairs. */
export interface FileHash {
  algorithm: string;
  value: string;
}

/** `a=file-selector` (RFC 5547 §5, §6). Each selector is optional; a bare `a=file-selector` has none (§8.5). */
export interface FileSelector {
  /** the file name, percent-decoded (UTF-8); NOT safe for the file system as it is (see file-name.ts) */
  name: string | null;
  /** media type in Content-Type form, e.g. `image/jpeg` or `text/plain;charset=utf-8` */
  type: string | null;
  /** octets of the whole file */
  size: number | null;
  /** one or more hashes of the whole file (§6: be prepared for several) */
  hashes: FileHash[];
}

/** `a=file-date` parameters: RFC 5322 date-time strings as written (numeric zones). */
export interface FileDates {
  creation?: string;
  modification?: string;
  read?: string;
}

/** `a=file-range` (RFC 5547 §6): 1-based inclusive octet positions in the file; stop `*` when unknown. */
export interface FileRange {
  start: number;
  stop: number | '*';
}

/** The RFC 5547 attributes of one media description. */
export interface FileTransferAttributes {
  /** null when there is no a=file-selector line */
  selector: FileSelector | null;
  transferId: string | null;
  /** `render` (the default, RFC 5547 §7) or `attachment`, or another RFC 2183 type */
  disposition: string | null;
  date: FileDates;
  /** a `cid:` URL (RFC 2392) */
  icon: string | null;
  range: FileRange | null;
}

/** An SDP attribute line's name and value (null for `a=name`). */
interface Attribute {
  name: string;
  value: string | null;
}

/** An empty set of file attributes. */
export function emptyFileAttributes(): FileTransferAttributes {
  return { selector: null, transferId: null, disposition: null, date: {}, icon: null, range: null };
}

// ---------------------------------------------------------------------------
// Percent-encoding of filename-string (RFC 5547 §6)

/** Decodes `%HH` escapes as octets, the rest as UTF-8 text; invalid UTF-8 becomes U+FFFD. */
function percentDecode(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const cp = s.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Encodes a filename-string: NUL, CR, LF, `"` and `%` must be escaped; `/`
 * and `\` are too, since the name must not carry directory structure (§6).
 */
function percentEncode(s: string): string {
  return s.replace(/[\0\r\n"%/\\]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

// ---------------------------------------------------------------------------
// file-selector

/** Reads a DQUOTE-delimited string at `i` (filename-string has no escapes): [text, index after it]. */
function readQuoted(v: string, i: number, what: string): [string, number] {
  if (v[i] !== '"') throw new RangeError(`a=file-selector: ${what} must be quoted in ${JSON.stringify(v)}`);
  const end = v.indexOf('"', i + 1);
  if (end < 0) throw new RangeError(`a=file-selector: unterminated ${what} in ${JSON.stringify(v)}`);
  return [v.slice(i + 1, end), end + 1];
}

/** `type "/" subtype *(";" attribute "=" DQUOTE value DQUOTE)` to Content-Type form (values re-encoded, §6). */
function parseFileType(v: string): string {
  // split at ";" outside DQUOTEs: a quoted value-string may hold ";"
  const parts: string[] = [''];
  let quoted = false;
  for (const ch of v) {
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) parts.push('');
    else parts[parts.length - 1] += ch;
  }
  const params: Array<[string, string]> = [];
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) throw new RangeError(`a=file-selector: type parameter ${JSON.stringify(p)} has no value`);
    const raw = p.slice(eq + 1);
    params.push([p.slice(0, eq), percentDecode(raw.length >= 2 && raw[0] === '"' && raw[raw.length - 1] === '"' ? raw.slice(1, -1) : raw)]);
  }
  const [type, subtype] = parts[0].split('/');
  try {
    return formatContentType({ ...parseContentType(`${type}/${subtype ?? ''}`), params });
  } catch {
    throw new RangeError(`a=file-selector: ${JSON.stringify(v)} is not a media type`);
  }
}

function formatFileType(type: string): string {
  const ct = parseContentType(type);
  let s = `${ct.type}/${ct.subtype}`;
  // SP is legal in value-string but escaped too, for parsers that split the attribute at every SP
  for (const [name, value] of ct.params) s += `;${name}="${percentEncode(value).replace(/ /g, '%20')}"`;
  return s;
}

const HASH_VALUE = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*$/;

/** Parses the value of `a=file-selector` (null for the bare attribute). Unknown selectors are skipped. */
export function parseFileSelector(value: string | null): FileSelector {
  const sel: FileSelector = { name: null, type: null, size: null, hashes: [] };
  const v = value ?? '';
  let i = 0;
  while (i < v.length) {
    if (v[i] === ' ' || v[i] === '\t') {
      i++;
      continue;
    }
    const colon = v.indexOf(':', i);
    if (colon < 0) throw new RangeError(`a=file-selector: expected "selector:value" at ${JSON.stringify(v.slice(i))}`);
    const key = v.slice(i, colon).toLowerCase();
    if (key === 'name') {
      let raw: string;
      [raw, i] = readQuoted(v, colon + 1, 'name');
      sel.name = percentDecode(raw);
      continue;
    }
    // the next SP outside DQUOTEs ends the selector (a type parameter value may hold SP, §6)
    let end = colon + 1;
    for (let quoted = false; end < v.length && (quoted || v[end] !== ' '); end++) if (v[end] === '"') quoted = !quoted;
    const item = v.slice(colon + 1, end);
    if (key === 'type') sel.type = parseFileType(item);
    else if (key === 'size') {
      if (!/^\d{1,16}$/.test(item) || !Number.isSafeInteger(Number(item))) throw new RangeError(`a=file-selector: size ${JSON.stringify(item)} is not a number`);
      sel.size = Number(item);
    } else if (key === 'hash') {
      const c = item.indexOf(':');
      const hashValue = item.slice(c + 1);
      if (c <= 0 || !HASH_VALUE.test(hashValue)) throw new RangeError(`a=file-selector: hash ${JSON.stringify(item)} is not algorithm:XX:XX...`);
      sel.hashes.push({ algorithm: item.slice(0, c).toLowerCase(), value: hashValue.toUpperCase() });
    }
    i = end;
  }
  return sel;
}

/** The value of `a=file-selector`, or null when it has no selector (a capability query, §8.5). */
export function formatFileSelector(sel: FileSelector): string | null {
  const items: string[] = [];
  if (sel.name !== null) {
    if (sel.name.length === 0) throw new RangeError('file-selector name must not be empty');
    items.push(`name:"${percentEncode(sel.name)}"`);
  }
  if (sel.type !== null) items.push(`type:${formatFileType(sel.type)}`);
  if (sel.size !== null) {
    if (!Number.isSafeInteger(sel.size) || sel.size < 0) throw new RangeError('file-selector size must be a whole number of octets');
    items.push(`size:${sel.size}`);
  }
  for (const h of sel.hashes) {
    if (!/^[!#$%&'*+\-.^_`{|}~0-9A-Za-z]+$/.test(h.algorithm) || !HASH_VALUE.test(h.value)) {
      throw new RangeError(`file-selector hash ${JSON.stringify(`${h.algorithm}:${h.value}`)} is not token:XX:XX...`);
    }
    items.push(`hash:${h.algorithm}:${h.value.toUpperCase()}`);
  }
  return items.length === 0 ? null : items.join(' ');
}

// ---------------------------------------------------------------------------
// The other attributes

const TOKEN = /^[!#$%&'*+\-.^_`{|}~0-9A-Za-z]+$/;
const DATE_KEYS = ['creation', 'modification', 'read'] as const;

function parseFileDate(v: string): FileDates {
  const dates: FileDates = {};
  const re = / *([a-z]+):"([^"]*)"/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(v)) !== null) {
    const key = m[1] as (typeof DATE_KEYS)[number];
    if (!DATE_KEYS.includes(key)) throw new RangeError(`a=file-date: unknown parameter ${key}`);
    if (dates[key] !== undefined) throw new RangeError(`a=file-date: ${key} given twice (RFC 5547 §6)`);
    dates[key] = m[2];
    last = re.lastIndex;
  }
  if (v.slice(last).trim() !== '' || last === 0) throw new RangeError(`a=file-date:${v} is not creation/modification/read:"date-time"`);
  return dates;
}

function parseFileRange(v: string): FileRange {
  const m = /^(\d{1,16})-(\d{1,16}|\*)$/.exec(v.trim());
  if (m === null || !Number.isSafeInteger(Number(m[1])) || (m[2] !== '*' && !Number.isSafeInteger(Number(m[2])))) throw new RangeError(`a=file-range:${v} is not start-stop`);
  const range: FileRange = { start: Number(m[1]), stop: m[2] === '*' ? '*' : Number(m[2]) };
  if (range.start < 1 || (range.stop !== '*' && range.stop < range.start - 1)) throw new RangeError(`a=file-range:${v}: octets count from 1 and stop may not precede start`);
  return range;
}

function token(v: string, name: string): string {
  const t = v.trim();
  if (!TOKEN.test(t)) throw new RangeError(`a=${name}:${v} is not a token`);
  return t;
}

/**
 * Applies one attribute to the file attributes: the updated value, or
 * undefined when `name` is no RFC 5547 attribute. Throws RangeError on a
 * malformed value (sdp.ts turns it into MsrpParseError).
 */
export function parseFileAttribute(file: FileTransferAttributes | null, name: string, value: string | null): FileTransferAttributes | undefined {
  if (!name.startsWith('file-')) return undefined;
  const f = file ?? emptyFileAttributes();
  const v = value ?? '';
  switch (name) {
    case 'file-selector': f.selector = parseFileSelector(value); break;
    case 'file-transfer-id': f.transferId = token(v, name); break;
    case 'file-disposition': f.disposition = token(v, name).toLowerCase(); break;
    case 'file-date': f.date = parseFileDate(v); break;
    case 'file-icon': f.icon = v.trim(); break;
    case 'file-range': f.range = parseFileRange(v); break;
    default: return undefined;
  }
  return f;
}

/** The a= lines for file attributes, in the order RFC 5547 §6 prints them. */
export function formatFileAttributes(f: FileTransferAttributes): Attribute[] {
  const out: Attribute[] = [];
  if (f.selector !== null) out.push({ name: 'file-selector', value: formatFileSelector(f.selector) });
  if (f.transferId !== null) out.push({ name: 'file-transfer-id', value: token(f.transferId, 'file-transfer-id') });
  if (f.disposition !== null) out.push({ name: 'file-disposition', value: token(f.disposition, 'file-disposition') });
  const dates = DATE_KEYS.filter((k) => f.date[k] !== undefined).map((k) => {
    if (/["\r\n]/.test(f.date[k] as string)) throw new RangeError(`file-date ${k} must not hold DQUOTE, CR or LF`);
    return `${k}:"${f.date[k]}"`;
  });
  if (dates.length > 0) out.push({ name: 'file-date', value: dates.join(' ') });
  if (f.icon !== null) {
    if (!/^cid:\S+$/i.test(f.icon)) throw new RangeError(`file-icon ${JSON.stringify(f.icon)} is not a cid: URL (RFC 2392)`);
    out.push({ name: 'file-icon', value: f.icon });
  }
  if (f.range !== null) {
    const { start, stop } = f.range;
    if (!Number.isSafeInteger(start) || start < 1 || (stop !== '*' && (!Number.isSafeInteger(stop) || stop < start - 1))) {
      throw new RangeError('file-range: start counts from 1 and stop may not precede start');
    }
    out.push({ name: 'file-range', value: `${start}-${stop}` });
  }
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An RFC 5322 §3.3 date-time with a numeric zone, as file-date needs: `Mon, 15 May 2006 12:01:31 +0000`. */
export function formatFileDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('file-date: invalid Date');
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} `
    + `${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
}
