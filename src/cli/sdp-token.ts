/**
 * The offer/answer by hand between two terminals: each side's SDP (RFC 4566,
 * the MSRP media of RFC 4975 §8) is carried as one line, an "SDP token", so
 * it can be copied from one terminal and pasted into the other: the prefix
 * `msrp-sdp:` then the SDP text compressed with raw DEFLATE (RFC 1951) and
 * written in base64url (RFC 4648 §5). Plain SDP text (from a SIP trace, say)
 * is accepted too: lines from `v=` to a blank line or the end of input.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { formatSdp, type MsrpMedia, parseMsrpMedia } from '../index.ts';
import { CliError, EXIT } from './exit.ts';
import type { LineReader } from './input.ts';
import type { Output } from './output.ts';

/** What every SDP token starts with. */
export const SDP_TOKEN_PREFIX = 'msrp-sdp:';

/** Most octets an SDP token may inflate to: an MSRP SDP is well under 2 kB, so more is not an SDP. */
const MAX_SDP = 64 * 1024;

/** The one-line token for `sdp`. */
export function encodeSdpToken(sdp: string): string {
  return SDP_TOKEN_PREFIX + deflateRawSync(Buffer.from(sdp, 'utf8'), { level: 9 }).toString('base64url');
}

function malformed(message: string, cause?: unknown): CliError {
  return new CliError(EXIT.MALFORMED, message, { cause });
}

/** The SDP text of a token; throws CliError (exit 3) when it is not one. */
export function decodeSdpToken(token: string): string {
  const t = token.trim();
  if (!t.startsWith(SDP_TOKEN_PREFIX)) throw malformed(`this is not an SDP token (it should start with ${SDP_TOKEN_PREFIX})`);
  const data = t.slice(SDP_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(data)) throw malformed('the SDP token is damaged (characters outside base64url): copy the whole line');
  try {
    return inflateRawSync(Buffer.from(data, 'base64url'), { maxOutputLength: MAX_SDP }).toString('utf8');
  } catch (err) {
    throw malformed('the SDP token is damaged or cut short: copy the whole line', err);
  }
}

/**
 * Reads the peer's SDP from `next` (a line source): the first non-blank line
 * is a token, or `v=` starting SDP text that runs to a blank line or the end.
 * Throws CliError: exit 3 for anything else, exit 5 (UNREACHABLE) at the end
 * of input before any SDP (the other side never answered).
 */
export async function readPeerSdp(next: () => Promise<string | null>): Promise<string> {
  let line: string | null;
  do line = await next();
  while (line !== null && line.trim() === '');
  if (line === null) throw new CliError(EXIT.UNREACHABLE, 'the input ended before the other side\'s SDP came');
  const first = line.trim();
  if (first.startsWith(SDP_TOKEN_PREFIX)) return decodeSdpToken(first);
  if (!first.startsWith('v=')) throw malformed(`expected an SDP token (${SDP_TOKEN_PREFIX}...) or SDP text starting with v=`);
  const lines = [first];
  let size = first.length;
  for (;;) {
    const more = await next();
    if (more === null || more.trim() === '') break;
    size += more.length;
    if (size > MAX_SDP) throw malformed(`the SDP text is longer than ${MAX_SDP} octets`);
    lines.push(more.trim());
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The peer's media description from `lines`: readPeerSdp, then parsed (MsrpParseError, exit 3, when malformed). */
export async function readPeerMedia(lines: Pick<LineReader, 'next'>): Promise<MsrpMedia> {
  return parseMsrpMedia(await readPeerSdp(() => lines.next()));
}

/** Prints this side's SDP: the token on its own line after `hint` (text), or an `sdp` event with token and text (--json). */
export function showSdp(out: Output, role: 'offer' | 'answer', media: MsrpMedia, hint: string): void {
  const sdp = formatSdp([media]);
  const token = encodeSdpToken(sdp);
  if (!out.json) out.say(hint);
  out.event('sdp', { role, token, sdp }, token);
}
