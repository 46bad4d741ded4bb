// Lookup tables of the framing core, built once by msrp_init into static
// memory: octet classes of RFC 4975 §9 and the known header names.

import { HeaderId } from './constants';

/** RFC 4975 §9 `token` (hname characters after the first) */
export const C_TOKEN: u32 = 1;
/** RFC 4975 §9 `ident-char` */
export const C_IDENT: u32 = 2;
/** RFC 4975 §9 `ALPHANUM` */
export const C_ALNUM: u32 = 4;
/** ALPHA: the first octet of `hname` */
export const C_ALPHA: u32 = 8;
/** UPALPHA: `other-method` */
export const C_UPPER: u32 = 16;
/** DIGIT */
export const C_DIGIT: u32 = 32;
/** CTL but HTAB, and DEL: not `utf8text`, so not allowed in a head line */
export const C_CTL: u32 = 64;

const CLASS: usize = memory.data(256, 16);

// @ts-ignore: decorator
@inline export function cls(c: u32): u32 {
  return <u32>load<u8>(CLASS + <usize>c);
}

// Known header names, in HeaderId order (ids 1..19). Matched case-insensitively
// (RFC 4975 §9: tokens compare case-insensitively), one octet at a time, so a
// name cut between two feeds needs no copy: each id owns one bit of a mask,
// and every octet keeps the bits of the names that still match.
const NAMES: StaticArray<string> = [
  'To-Path', 'From-Path', 'Message-ID', 'Success-Report', 'Failure-Report', 'Byte-Range', 'Status',
  'Content-Type', 'Content-ID', 'Content-Description', 'Content-Disposition', 'Use-Path', 'WWW-Authenticate',
  'Authorization', 'Authentication-Info', 'Expires', 'Min-Expires', 'Max-Expires', 'Use-Nickname',
];
/** Longest known name is 19 octets; position 19 and on match nothing. */
export const NAME_ROWS: u32 = 20;
/** mask of ids whose name has octet `c | 0x20` at position `row` (case-insensitive) */
const NAME_CI: usize = memory.data(<i32>NAME_ROWS * 128 * 4, 16);
/** the same, case-sensitive: the name is spelled exactly as registered */
const NAME_CS: usize = memory.data(<i32>NAME_ROWS * 128 * 4, 16);
/** mask of ids whose name is `length` octets long */
const NAME_LEN: usize = memory.data(32 * 4, 16);

/** Per id, the name in lower case and as registered, zero-padded to 24 octets (whole-name matching). */
const NAME_WORDS: usize = memory.data(32 * 48, 16);
/** Per name length, the ids of that length, one per octet (at most four). */
const LEN_IDS: usize = memory.data(32 * 4, 16);

/**
 * Nibble tables for testing a class on 16 octets at once (i8x16.swizzle):
 * octet b is in the class exactly when LO[b & 15] & HI[b >> 4] != 0. HI gives
 * each high nibble 2..7 its own bit (0 for the others: no token or ident octet
 * is a control or >= 0x80); LO[l] holds the bits of the high nibbles h for
 * which (h << 4 | l) is in the class. Two tables per class: token, then ident.
 */
export const NIBBLES: usize = memory.data(64, 16);
export const TOKEN_LO: usize = NIBBLES;
export const TOKEN_HI: usize = NIBBLES + 16;
export const IDENT_LO: usize = NIBBLES + 32;
export const IDENT_HI: usize = NIBBLES + 48;

let built = false;

function setClass(from: u32, to: u32, bits: u32): void {
  for (let c = from; c <= to; c++) store<u8>(CLASS + <usize>c, <u8>(cls(c) | bits));
}

/** Fills the tables (idempotent). */
export function buildTables(): void {
  if (built) return;
  built = true;
  setClass(0x41, 0x5a, C_ALPHA | C_UPPER | C_ALNUM | C_IDENT | C_TOKEN);
  setClass(0x61, 0x7a, C_ALPHA | C_ALNUM | C_IDENT | C_TOKEN);
  setClass(0x30, 0x39, C_DIGIT | C_ALNUM | C_IDENT | C_TOKEN);
  // ident-char adds "." / "-" / "+" / "%" / "="
  setClass(0x2e, 0x2e, C_IDENT); setClass(0x2d, 0x2d, C_IDENT); setClass(0x2b, 0x2b, C_IDENT);
  setClass(0x25, 0x25, C_IDENT); setClass(0x3d, 0x3d, C_IDENT);
  // token = 1*(%x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E)
  setClass(0x21, 0x21, C_TOKEN); setClass(0x23, 0x27, C_TOKEN); setClass(0x2a, 0x2b, C_TOKEN);
  setClass(0x2d, 0x2e, C_TOKEN); setClass(0x5e, 0x7e, C_TOKEN);
  setClass(0x00, 0x08, C_CTL); setClass(0x0a, 0x1f, C_CTL); setClass(0x7f, 0x7f, C_CTL);
  for (let h: u32 = 2; h <= 7; h++) {
    let bit = <u8>(<u32>1 << (h - 2));
    store<u8>(TOKEN_HI + <usize>h, bit);
    store<u8>(IDENT_HI + <usize>h, bit);
    for (let l: u32 = 0; l < 16; l++) {
      let k = cls(h << 4 | l);
      if (k & C_TOKEN) store<u8>(TOKEN_LO + <usize>l, load<u8>(TOKEN_LO + <usize>l) | bit);
      if (k & C_IDENT) store<u8>(IDENT_LO + <usize>l, load<u8>(IDENT_LO + <usize>l) | bit);
    }
  }

  for (let k = 0; k < NAMES.length; k++) {
    let name = NAMES[k];
    let bit: u32 = 1 << (<u32>k + HeaderId.TO_PATH - 1);
    let n = <u32>name.length;
    for (let pos: u32 = 0; pos < n; pos++) {
      let c = <u32>name.charCodeAt(pos);
      // `c | 0x20` lower-cases letters and leaves the other name octets
      // ("-" and digits already have bit 5 set) unchanged.
      let ci = NAME_CI + ((<usize>pos * 128 + <usize>(c | 0x20)) << 2);
      store<u32>(ci, load<u32>(ci) | bit);
      let cs = NAME_CS + ((<usize>pos * 128 + <usize>c) << 2);
      store<u32>(cs, load<u32>(cs) | bit);
    }
    let at = NAME_LEN + (<usize>n << 2);
    store<u32>(at, load<u32>(at) | bit);
    let id = <u32>k + HeaderId.TO_PATH;
    let words = NAME_WORDS + <usize>id * 48;
    for (let pos: u32 = 0; pos < n; pos++) {
      let c = <u32>name.charCodeAt(pos);
      store<u8>(words + <usize>pos, <u8>(c | 0x20));
      store<u8>(words + 24 + <usize>pos, <u8>c);
    }
    let ids = LEN_IDS + (<usize>n << 2);
    let slot: u32 = 0;
    while (load<u8>(ids + <usize>slot) != 0) slot++;
    store<u8>(ids + <usize>slot, <u8>id);
  }
}

/**
 * The HeaderId of the whole name [p, p + n) (token octets), and in bit 8
 * whether it is spelled exactly as registered; 0 for unknown names. OR-ing
 * 0x20 lower-cases letters and maps no other token octet onto a letter, and
 * the known names hold only letters and "-", which it leaves alone; so a
 * lowered word matches a lowered name exactly when the names match
 * case-insensitively. Words past the name are masked off.
 */
export function nameIdAt(p: usize, n: u32): u32 {
  if (n >= 32) return 0;
  let ids = load<u32>(LEN_IDS + (<usize>n << 2));
  while (ids != 0) {
    let id = ids & 0xff;
    ids >>= 8;
    let words = NAME_WORDS + <usize>id * 48;
    let same = true;
    let exact = true;
    for (let k: u32 = 0; k < n; k += 8) {
      let mask: u64 = n - k >= 8 ? <u64>-1 : (<u64>1 << (<u64>(n - k) << 3)) - 1;
      let w = load<u64>(p + <usize>k) & mask;
      if (((w | (0x2020202020202020 & mask)) ^ load<u64>(words + <usize>k)) != 0) {
        same = false;
        break;
      }
      if (w != load<u64>(words + 24 + <usize>k)) exact = false;
    }
    if (same) return id | (exact ? 0x100 : 0);
  }
  return 0;
}

/** Name candidates still matching after octet `c` (a token octet, < 0x80) at position `pos`. */
// @ts-ignore: decorator
@inline export function nameStepCI(mask: u32, pos: u32, c: u32): u32 {
  return pos < NAME_ROWS ? mask & load<u32>(NAME_CI + ((<usize>pos * 128 + <usize>(c | 0x20)) << 2)) : 0;
}

/** Exact-spelling candidates still matching after octet `c` at position `pos`. */
// @ts-ignore: decorator
@inline export function nameStepCS(mask: u32, pos: u32, c: u32): u32 {
  return pos < NAME_ROWS ? mask & load<u32>(NAME_CS + ((<usize>pos * 128 + <usize>c) << 2)) : 0;
}

/** The HeaderId left by the candidates of a `length`-octet name, 0 for none. */
// @ts-ignore: decorator
@inline export function nameId(mask: u32, length: u32): u32 {
  let m = length < 32 ? mask & load<u32>(NAME_LEN + (<usize>length << 2)) : 0;
  return m != 0 ? ctz(m) + 1 : 0;
}
