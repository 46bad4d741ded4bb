/**
 * `msrp send FILE` and `msrp recv`: one file pushed from one terminal to
 * another (RFC 5547 push), directly or through a relay, with the SDP
 * offer/answer done by hand (sdp-token.ts):
 *
 * 1. `msrp send FILE` hashes the file (sha-1), prepares its end (AUTH at the
 *    relay, or a listener) and prints its offer: one line.
 * 2. `msrp recv` reads that line, shows the file's name, size, type and hash
 *    (a name unsafe for the file system is shown escaped, with the name it
 *    will be saved under), and asks before accepting (`--yes` accepts).
 *    Accepting prints the answer line; declining prints a refusing answer
 *    (port 0, RFC 3264 §6) so the sender learns it.
 * 3. `msrp send` reads the answer, connects, and the file goes; both sides
 *    show progress. The receiver checks size and sha-1 and exits 0 only
 *    when they match; the sender exits 0 when success REPORTs covered every
 *    octet (RFC 4975 §7.1.2: a 200 alone only says the next hop took it).
 *
 * Ctrl-C closes the session; the receiver deletes the partial file, or
 * keeps it with `--keep-partial`.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import {
  FileTransferStream, type FileTransferStreamOptions, type MsrpMedia, sanitizeFileName,
} from '../index.ts';
import { parseCommand, stringFlag } from './args.ts';
import { abort, endpointFrom, ENDPOINT_OPTIONS, type Endpoint } from './endpoint.ts';
import { CliError, EXIT, type ExitCode } from './exit.ts';
import { Interrupt, LineReader, orInterrupt } from './input.ts';
import { Output, quoted } from './output.ts';
import { formatBytes, formatElapsed, formatRate } from './progress.ts';
import { readPeerMedia, showSdp } from './sdp-token.ts';

/** Octets between progress updates (and the receiver's incremental REPORTs). */
const PROGRESS_INTERVAL = 1 << 20;
/** Files from this size on show a bar while they are hashed. */
const HASH_PROGRESS_SIZE = 16 << 20;
/** Ms a transfer has to settle after its session ended. */
const SETTLE_MS = 10_000;

/** The file part of an offer, for showing and for the JSON `offer` event. */
interface OfferedFile {
  name: string | null;
  /** the name it is saved under (before a numeric suffix for an existing file) */
  safeName: string;
  size: number | null;
  type: string | null;
  sha1: string | null;
}

/**
 * Runs a started transfer to its end: progress shown, resolves with the
 * `finished` info, rejects with the `failed` error or when the stream ends
 * first.
 */
function transferOutcome(stream: FileTransferStream, out: Output, label: string, total: number | null) {
  const bar = out.progress(label, total);
  const started = Date.now();
  return new Promise<{ path: string | null; size: number | null; seconds: number }>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = (): void => {
      clearTimeout(timer);
      bar?.done();
    };
    stream.on('progress', (p) => {
      bar?.update(p.transferred);
      const seconds = (Date.now() - started) / 1000;
      if (out.json) out.event('progress', { transferred: p.transferred, total: p.total, rate: seconds > 0 ? Math.round(p.transferred / seconds) : 0 });
    });
    stream.once('finished', (info) => {
      settle();
      resolve({ path: info.path, size: info.size, seconds: (Date.now() - started) / 1000 });
    });
    stream.once('failed', (info) => {
      settle();
      reject(info.error ?? new CliError(EXIT.TRANSFER, info.reason));
    });
    // the stream settles a transfer it ended with `finished` or `failed` (a receiver after writing what came):
    // this only bounds the wait should neither come
    stream.once('didEnd', ({ error }) => {
      timer = setTimeout(() => {
        settle();
        reject(error ?? new CliError(EXIT.TRANSFER, 'the session ended before the transfer did'));
      }, SETTLE_MS);
    });
  });
}

/** A sentence on speed: `in 0:03 (33.4 MB/s)`. */
function speed(size: number, seconds: number): string {
  return `in ${formatElapsed(seconds)} (${formatRate(seconds > 0 ? size / seconds : size)})`;
}

/** `msrp send FILE`: see the module comment. */
export async function send(argv: string[], out: Output): Promise<ExitCode> {
  const { values, positionals } = parseCommand(argv, { ...ENDPOINT_OPTIONS, name: { type: 'string' }, type: { type: 'string' } },
    { max: 1, min: 1, what: 'FILE' });
  const path = resolve(positionals[0]);
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(EXIT.BAD_PATH, `cannot read ${positionals[0]}: ${err.code ?? err.message}`);
  });
  if (!info.isFile()) throw new CliError(EXIT.BAD_PATH, `${positionals[0]} is not a regular file`);
  await access(path, constants.R_OK).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(EXIT.BAD_PATH, `cannot read ${positionals[0]}: ${err.code ?? err.message}`);
  });
  const endpoint = await endpointFrom(values);
  const name = stringFlag(values, 'name') ?? basename(path);
  const stream = new FileTransferStream({
    ...endpoint.stream, file: { path, name, type: stringFlag(values, 'type') }, progressInterval: PROGRESS_INTERVAL,
  });
  const interrupt = new Interrupt();
  const lines = new LineReader();
  try {
    const end = () => abort(stream);
    // hashing takes a moment only for large files: worth a bar on a terminal, not lines in a log
    const hashing = info.size >= HASH_PROGRESS_SIZE && out.stderr.isTTY === true ? out.progress(`hashing ${name}`, info.size) : null;
    stream.on('hashProgress', (h) => hashing?.update(h.hashed));
    const media = await orInterrupt(stream.initialize(), interrupt, end, 'interrupted before the offer was made');
    hashing?.done();
    const sha1 = media.file?.selector?.hashes[0]?.value ?? null;
    out.event('file', { name, size: info.size, type: stringFlag(values, 'type') ?? null, sha1, via: endpoint.via },
      `offering ${quoted(name)} (${formatBytes(info.size)}, sha-1 ${sha1}) ${endpoint.via}`);
    showSdp(out, 'offer', media, 'run `msrp recv` on the other side and paste this line there:');
    if (!out.json) out.say('then paste the answer it prints here:');
    const answer = await orInterrupt(readPeerMedia(lines), interrupt, end, 'interrupted while waiting for the answer');
    lines.close();
    if (answer.port === 0) {
      await stream.end();
      throw new CliError(EXIT.REFUSED, `the receiver refused ${quoted(name)}`);
    }
    const outcome = transferOutcome(stream, out, `sending ${name}`, info.size);
    outcome.catch(() => {});
    await orInterrupt(stream.start(answer), interrupt, end, 'interrupted while connecting');
    out.event('connected', { peer: answer.path.map(String) }, `connected ${endpoint.via}`);
    const done = await orInterrupt(outcome, interrupt, end, `interrupted: ${quoted(name)} was not sent whole`);
    await stream.end();
    out.event('finished', { name, size: info.size, sha1, seconds: done.seconds },
      `sent ${quoted(name)}: ${formatBytes(info.size)} ${speed(info.size, done.seconds)}, every octet confirmed by the receiver`);
    return EXIT.OK;
  } finally {
    lines.close();
    interrupt.dispose();
    await stream.end().catch(() => {});
  }
}

/** The file an offer describes; throws CliError when the offer is not a file push. */
function offeredFile(offer: MsrpMedia): OfferedFile {
  const f = offer.file;
  if (f === null || f.selector === null) throw new CliError(EXIT.MALFORMED, 'the offer is not a file transfer (no a=file-selector, RFC 5547 §6)');
  if (offer.direction !== 'sendonly') {
    throw new CliError(EXIT.REFUSED, `the offer is ${offer.direction}, not a file pushed to this side (sendonly): msrp recv takes pushed files only`);
  }
  const s = f.selector;
  const sha1 = s.hashes.find((h) => h.algorithm.toLowerCase() === 'sha-1')?.value ?? null;
  return { name: s.name, safeName: sanitizeFileName(s.name ?? 'file'), size: s.size, type: s.type, sha1 };
}

/** Checks that `dir` is a directory this process can create files in. */
async function writableDirectory(dir: string): Promise<void> {
  const fail = (why: string) => new CliError(EXIT.BAD_PATH, `cannot save files in ${dir}: ${why}`);
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => { throw fail(err.code ?? err.message); });
  if (!info.isDirectory()) throw fail('not a directory');
  await access(dir, constants.W_OK | constants.X_OK).catch((err: NodeJS.ErrnoException) => { throw fail(err.code ?? err.message); });
}

/** Shows the offered file and asks whether to take it (true with --yes). */
async function accept(file: OfferedFile, out: Output, yes: boolean, lines: LineReader): Promise<boolean> {
  const size = file.size === null ? 'size not given' : `${formatBytes(file.size)}, ${file.size} octets`;
  out.event('file', { ...file }, `offered: ${file.name === null ? '(no name)' : quoted(file.name)} (${size}, ` +
    `${file.type === null ? 'type not given' : quoted(file.type)}, sha-1 ${file.sha1 ?? 'not given'})`);
  if (file.name !== null && file.safeName !== file.name) {
    out.warn(`the offered name ${quoted(file.name)} is not a safe file name here: it will be saved as ${quoted(file.safeName)}`);
  }
  if (yes) return true;
  out.say('accept it? [y/N]');
  const reply = await lines.next();
  return reply !== null && /^\s*y(es)?\s*$/i.test(reply);
}

/** `msrp recv`: see the module comment. */
export async function recv(argv: string[], out: Output): Promise<ExitCode> {
  const { values } = parseCommand(argv, { ...ENDPOINT_OPTIONS, dir: { type: 'string' }, yes: { type: 'boolean', short: 'y' },
    'keep-partial': { type: 'boolean' } });
  const dir = resolve(stringFlag(values, 'dir') ?? '.');
  await writableDirectory(dir);
  const endpoint: Endpoint = await endpointFrom(values);
  const interrupt = new Interrupt();
  const lines = new LineReader();
  let stream: FileTransferStream | null = null;
  const end = async () => (stream === null ? undefined : abort(stream));
  try {
    if (!out.json) out.say('paste the line `msrp send` printed:');
    const offer = await orInterrupt(readPeerMedia(lines), interrupt, end, 'interrupted while waiting for the offer');
    const file = offeredFile(offer);
    const taken = await orInterrupt(accept(file, out, values.yes === true, lines), interrupt, end, 'interrupted before accepting');
    lines.close();
    if (!taken) {
      const refusal: MsrpMedia = { ...offer, port: 0, path: [], fingerprints: [], setup: null };
      showSdp(out, 'answer', refusal, 'declined; paste this line into `msrp send` so it stops waiting:');
      throw new CliError(EXIT.REFUSED, `declined ${file.name === null ? 'the file' : quoted(file.name)}`);
    }
    const options: FileTransferStreamOptions = {
      ...endpoint.stream, destination: dir, keepPartial: values['keep-partial'] === true, progressInterval: PROGRESS_INTERVAL,
    };
    const receiving = new FileTransferStream(options);
    stream = receiving;
    const answer = await orInterrupt(receiving.initialize(offer), interrupt, end, 'interrupted before the answer was made');
    showSdp(out, 'answer', answer, 'paste this line into `msrp send`:');
    const outcome = transferOutcome(receiving, out, `receiving ${file.safeName}`, file.size);
    outcome.catch(() => {});
    const partial = values['keep-partial'] === true ? 'the partial file is kept' : 'the partial file is removed';
    await orInterrupt(receiving.start(offer), interrupt, async () => {
      await abort(receiving);
      await outcome.catch(() => {});
    }, 'interrupted before the sender connected');
    out.event('connected', { peer: offer.path.map(String) }, `connected ${endpoint.via}`);
    const done = await orInterrupt(outcome, interrupt, async () => {
      await abort(receiving);
      // the stream removes (or keeps) the partial file before it reports the failure
      await outcome.catch(() => {});
    }, `interrupted: ${partial}`);
    await receiving.end();
    const size = done.size ?? 0;
    out.event('finished', { name: file.name, path: done.path, size, sha1: file.sha1, seconds: done.seconds },
      `received ${quoted(file.name ?? 'file')} as ${quoted(done.path ?? '')}: ${formatBytes(size)} ${speed(size, done.seconds)}, ` +
      `${file.sha1 === null ? 'size checked (no hash was offered)' : 'size and sha-1 verified'}`);
    return EXIT.OK;
  } finally {
    lines.close();
    interrupt.dispose();
    await stream?.end().catch(() => {});
  }
}
