// The boundary scan (RFC 4975 §7.1: a body ends right before
// `CRLF "-------" transact-id continuation-flag CRLF`) and the header-value
// scan. Two tiers from one source: with ASC_FEATURE_SIMD the filters run on
// v128 (splat, compare, bitmask, ctz), without it on 64-bit words (SWAR).

import { C_IDENT, C_TOKEN, IDENT_HI, IDENT_LO, TOKEN_HI, TOKEN_LO, cls } from './tables';

const CR: u32 = 0x0d;
const LF: u32 = 0x0a;
const DASH: u32 = 0x2d;
const ONES: u64 = 0x0101010101010101;
const LOW7: u64 = 0x7f7f7f7f7f7f7f7f;
const HIGH: u64 = 0x8080808080808080;
/** "\r\n------", the first eight octets of every needle, as a little-endian word */
const NEEDLE_HEAD: u64 = 0x2d2d2d2d2d2d0a0d;

/**
 * The high bit of every zero octet of `t`, and only of those. Per octet b:
 * (b & 0x7f) + 0x7f has bit 7 set exactly when the low seven bits are not all
 * zero, and never carries into the next octet (at most 0xfe); OR-ing b adds
 * its own bit 7. So bit 7 ends up clear exactly when b == 0.
 */
// @ts-ignore: decorator
@inline function zeroOctets(t: u64): u64 {
  return ~(((t & LOW7) + LOW7) | t) & HIGH;
}

/**
 * The first position i in [p, end) that may start an end-line: in[i] is CR
 * and, when in[i + 8] exists, it is the last dash. Returns `end` when none.
 * The filter is exact for "CR here and dash eight octets on"; the caller
 * verifies the rest (dashes, transaction id, flag, CRLF).
 */
export function nextCandidate(p: usize, end: usize): usize {
  if (ASC_FEATURE_SIMD) {
    let cr = i8x16.splat(<i8>CR);
    let dash = i8x16.splat(<i8>DASH);
    // 64 octets per round; a round reads up to p + 8 + 63.
    while (p + 72 <= end) {
      let m0 = v128.and(i8x16.eq(v128.load(p), cr), i8x16.eq(v128.load(p, 8), dash));
      let m1 = v128.and(i8x16.eq(v128.load(p, 16), cr), i8x16.eq(v128.load(p, 24), dash));
      let m2 = v128.and(i8x16.eq(v128.load(p, 32), cr), i8x16.eq(v128.load(p, 40), dash));
      let m3 = v128.and(i8x16.eq(v128.load(p, 48), cr), i8x16.eq(v128.load(p, 56), dash));
      if (v128.any_true(v128.or(v128.or(m0, m1), v128.or(m2, m3)))) {
        // bitmask puts lane k's sign bit at bit k, and a true lane is all ones,
        // so bit k of the 64-bit word is set exactly for position p + k.
        let bits = <u64>(<u32>i8x16.bitmask(m0) | (<u32>i8x16.bitmask(m1) << 16))
          | (<u64>(<u32>i8x16.bitmask(m2) | (<u32>i8x16.bitmask(m3) << 16)) << 32);
        return p + <usize>ctz(bits);
      }
      p += 64;
    }
    while (p + 24 <= end) {
      let m = v128.and(i8x16.eq(v128.load(p), cr), i8x16.eq(v128.load(p, 8), dash));
      let bits = <u32>i8x16.bitmask(m);
      if (bits != 0) return p + <usize>ctz(bits);
      p += 16;
    }
  } else {
    // Octet k of t is zero exactly when in[p + k] == CR and in[p + 8 + k] == "-".
    let crs = ONES * <u64>CR;
    let dashes = ONES * <u64>DASH;
    while (p + 32 <= end) {
      let t0 = (load<u64>(p) ^ crs) | (load<u64>(p, 8) ^ dashes);
      let t1 = (load<u64>(p, 8) ^ crs) | (load<u64>(p, 16) ^ dashes);
      let t2 = (load<u64>(p, 16) ^ crs) | (load<u64>(p, 24) ^ dashes);
      let z = zeroOctets(t0) | zeroOctets(t1) | zeroOctets(t2);
      if (z != 0) {
        let z0 = zeroOctets(t0);
        if (z0 != 0) return p + <usize>(ctz(z0) >> 3);
        let z1 = zeroOctets(t1);
        if (z1 != 0) return p + 8 + <usize>(ctz(z1) >> 3);
        return p + 16 + <usize>(ctz(zeroOctets(t2)) >> 3);
      }
      p += 24;
    }
  }
  while (p < end) {
    if (<u32>load<u8>(p) == CR && (p + 8 >= end || <u32>load<u8>(p, 8) == DASH)) return p;
    p++;
  }
  return end;
}

/**
 * The first position in [p, lim) whose octet is not in the class (C_TOKEN or
 * C_IDENT), or `lim`. The SIMD tier tests 16 octets per step with the nibble
 * tables (tables.ts), reading up to 15 octets past `lim` (window guard).
 */
export function classEnd(p: usize, lim: usize, klass: u32): usize {
  if (ASC_FEATURE_SIMD) {
    let lo = v128.load(klass == C_TOKEN ? TOKEN_LO : IDENT_LO);
    let hi = v128.load(klass == C_TOKEN ? TOKEN_HI : IDENT_HI);
    let nibble = i8x16.splat(0x0f);
    let zero = i8x16.splat(0);
    while (p < lim) {
      let v = v128.load(p);
      // swizzle picks table lane (index & 15 for low nibbles; shr_u gives 0..15 for high ones)
      let hit = v128.and(i8x16.swizzle(lo, v128.and(v, nibble)), i8x16.swizzle(hi, i8x16.shr_u(v, 4)));
      let out = <u32>i8x16.bitmask(i8x16.eq(hit, zero));
      if (out != 0) return min(p + <usize>ctz(out), lim);
      p += 16;
    }
    return lim;
  }
  while (p < lim && (cls(<u32>load<u8>(p)) & klass)) p++;
  return p;
}

// @ts-ignore: decorator
@inline export function isFlag(c: u32): bool {
  // RFC 4975 §9 continuation-flag = "+" / "$" / "#"
  return c == 0x24 || c == 0x2b || c == 0x23;
}

/**
 * Whether the end-line `needle flag CRLF` starts at `c` (in[c] is CR):
 * 1 yes, 0 no, -1 the input ends first and every octet there matches.
 * `needle` is `CRLF -------<tid>`, `n` octets long (13..41).
 */
export function endLineAt(needle: usize, n: u32, c: usize, end: usize): i32 {
  let total = <usize>n + 3;
  if (c + total <= end) {
    if (load<u64>(c) != NEEDLE_HEAD) return 0;
    let k: usize = 8;
    for (; k + 8 <= <usize>n; k += 8) {
      if (load<u64>(c + k) != load<u64>(needle + k)) return 0;
    }
    if (k < <usize>n) {
      // the last 1..7 octets: compare the low (n - k) octets of both words
      let mask = (<u64>1 << ((<u64>n - <u64>k) << 3)) - 1;
      if (((load<u64>(c + k) ^ load<u64>(needle + k)) & mask) != 0) return 0;
    }
    let at = c + <usize>n;
    return isFlag(<u32>load<u8>(at)) && <u32>load<u8>(at, 1) == CR && <u32>load<u8>(at, 2) == LF ? 1 : 0;
  }
  for (let k: usize = 0; c + k < end; k++) {
    let b = <u32>load<u8>(c + k);
    if (!matchesAt(needle, n, <u32>k, b)) return 0;
  }
  return -1;
}

/** Whether octet `b` fits position `k` of the end-line `needle flag CR LF`. */
// @ts-ignore: decorator
@inline export function matchesAt(needle: usize, n: u32, k: u32, b: u32): bool {
  if (k < n) return b == <u32>load<u8>(needle + <usize>k);
  if (k == n) return isFlag(b);
  return b == (k == n + 1 ? CR : LF);
}

/**
 * Skips header-value octets that need no per-octet decision: everything but
 * CR, the controls, HTAB and DEL (which the caller handles one at a time).
 * Notes in valueFirst/valueLast/valueHigh where the octets other than SP
 * begin and end and whether any is >= 0x80. Returns the first position not
 * skipped (at most `lim`). Reads up to 15 octets past `lim` (inside the
 * window's guard) and masks them off.
 */
export function skipPlainValue(p: usize, lim: usize): usize {
  valueFirst = 0;
  valueLast = 0;
  valueHigh = false;
  if (ASC_FEATURE_SIMD) {
    let space = i8x16.splat(0x20);
    let del = i8x16.splat(0x7f);
    while (p < lim) {
      let v = v128.load(p);
      // lt_u(v, 0x20) is exact for the controls, HTAB and CR; DEL is 0x7f.
      let special = <u32>i8x16.bitmask(v128.or(i8x16.lt_u(v, space), i8x16.eq(v, del)));
      let n = lim - p;
      // lanes at or past `lim` count as special: the run stops there
      if (n < 16) special |= <u32>0xffff << <u32>n;
      let stop = special != 0 ? ctz(special) : 16;
      let keep = (<u32>1 << stop) - 1;
      let solid = <u32>i8x16.bitmask(v128.not(i8x16.eq(v, space))) & keep;
      if (solid != 0) {
        if (valueFirst == 0) valueFirst = p + <usize>ctz(solid) + 1;
        valueLast = p + <usize>(31 - clz(solid)) + 1;
      }
      // lanes >= 0x80 have their sign bit set
      if ((<u32>i8x16.bitmask(v) & keep) != 0) valueHigh = true;
      p += <usize>stop;
      if (stop < 16) return p;
    }
    return p;
  }
  let spaces = ONES * 0x20;
  let dels = ONES * 0x7f;
  let low = ONES * 0x60;
  while (p < lim) {
    let x = load<u64>(p);
    // per octet b < 0x80: (b & 0x7f) + 0x60 has bit 7 set exactly when b >= 0x20, without carry
    // out; OR-ing x sets it for b >= 0x80. So bit 7 is clear exactly for b < 0x20.
    let special = (~(((x & LOW7) + low) | x) & HIGH) | zeroOctets(x ^ dels);
    let n = lim - p;
    if (n < 8) special |= HIGH << (<u64>n << 3);
    let stop = special != 0 ? <u32>(ctz(special) >> 3) : 8;
    let keep: u64 = stop == 8 ? <u64>-1 : (<u64>1 << (<u64>stop << 3)) - 1;
    let solid = ~zeroOctets(x ^ spaces) & HIGH & keep;
    if (solid != 0) {
      if (valueFirst == 0) valueFirst = p + <usize>(ctz(solid) >> 3) + 1;
      valueLast = p + <usize>((63 - clz(solid)) >> 3) + 1;
    }
    if ((x & HIGH & keep) != 0) valueHigh = true;
    p += <usize>stop;
    if (stop < 8) return p;
  }
  return p;
}

/**
 * The first octet in [p, lim) that is a control, HTAB or DEL (a CR ends a
 * line), or `lim`; valueHigh tells whether an octet >= 0x80 came before it.
 * Reads whole blocks, up to 15 octets past `lim` (inside the window's guard).
 */
export function plainRun(p: usize, lim: usize): usize {
  valueHigh = false;
  if (ASC_FEATURE_SIMD) {
    let space = i8x16.splat(0x20);
    let del = i8x16.splat(0x7f);
    let high = i8x16.splat(0);
    while (p < lim) {
      let v = v128.load(p);
      let special = <u32>i8x16.bitmask(v128.or(i8x16.lt_u(v, space), i8x16.eq(v, del)));
      if (special != 0) {
        let k = ctz(special);
        // only the lanes before the special octet count
        valueHigh = i8x16.bitmask(high) != 0 || (<u32>i8x16.bitmask(v) & ((<u32>1 << k) - 1)) != 0;
        return min(p + <usize>k, lim);
      }
      high = v128.or(high, v);
      p += 16;
    }
    valueHigh = i8x16.bitmask(high) != 0;
    return lim;
  }
  let dels = ONES * 0x7f;
  let low = ONES * 0x60;
  let high: u64 = 0;
  while (p < lim) {
    let x = load<u64>(p);
    let special = (~(((x & LOW7) + low) | x) & HIGH) | zeroOctets(x ^ dels);
    if (special != 0) {
      let k = <u32>(ctz(special) >> 3);
      let keep: u64 = (<u64>1 << (<u64>k << 3)) - 1;
      valueHigh = ((high | (x & keep)) & HIGH) != 0;
      return min(p + <usize>k, lim);
    }
    high |= x;
    p += 8;
  }
  valueHigh = (high & HIGH) != 0;
  return lim;
}

/** skipPlainValue's findings, as absolute positions plus one (0: none yet). */
export let valueFirst: usize = 0;
export let valueLast: usize = 0;
export let valueHigh: bool = false;
