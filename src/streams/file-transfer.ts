/**
 * FileTransferStream (sipsimple's MSRPFileTransfer, RFC 5547): one file per
 * session (§8.7), pushed by the offerer or pulled by it (§8.2.2).
 *
 * Sender (`file`): the file-selector carries name, type, size and the sha-1
 * computed streaming (`hashProgress`). The range `a=file-range:N-M` is read
 * from the file and sent as one MSRP message, CPIM-wrapped when the peer
 * takes the type only wrapped or `preferCpim` (RFC 5547 §8.7), asking for
 * success REPORTs: they drive `progress`, `finished`, and `resumeOffset`,
 * the first octet the receiver has not confirmed, from which a new offer
 * with a=file-range resumes.
 *
 * Receiver (`destination`): the file is created there under a unique,
 * sanitised name (file-name.ts), or a partial file given by `resume` is
 * continued. The wrapper, if any, is removed before offsets are applied;
 * message octet S of a range starting at N goes to file position
 * (N-1)+(S-1) (RFC 5547 §6), written in order, in batches, while the peer
 * waits on TCP (memory stays bounded). Incremental success REPORTs cover
 * only what is on disk, so a sender resuming from them leaves no hole. At
 * the end the size and the sha-1 are checked (§8.2.1: SHOULD); a failed
 * transfer deletes the partial file or keeps it (`keepPartial`) and offers
 * `resumeState`, from which a new stream pulls the rest (file-range from the
 * first missing octet, a new file-transfer-id).
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, open, stat, unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { MsrpStreamError } from '../errors.ts';
import { reasonPhrase, StatusCode } from '../protocol/status.ts';
import type { IncomingStream, MsrpSession, MsrpSessionOptions, SentMessage } from '../session.ts';
import { CPIM_CONTENT_TYPE, unwrapCpim, wrapCpim } from './cpim.ts';
import { createUniqueFile } from './file-name.ts';
import { BackgroundHash, FILE_HASH_ALGORITHM, FileRangeSource, FileSink, hashFile, prefixed } from './file-io.ts';
import { answerDirection, deliveryMode, fitsMaxSize } from './sdp-negotiation.ts';
import type { FileHash, FileSelector, FileTransferAttributes, MsrpMedia } from './sdp.ts';
import { type MediaParts, MsrpStreamBase, type StreamEvents, type StreamOptions } from './stream-base.ts';

/** What to send: a file by path, or a Readable with what the file-selector needs. */
export type FileSource =
  | { path: string; name?: string; type?: string; hash?: FileHash }
  | { stream: Readable; name: string; size: number; type?: string; hash?: FileHash };

/** A partial file a failed receiver kept: where it is, what it is, and the first octet it lacks (1-based). */
export interface FileResumeState {
  path: string;
  selector: FileSelector;
  next: number;
}

/** Options of a FileTransferStream: `file` makes a sender, `destination` a receiver. */
export interface FileTransferStreamOptions extends StreamOptions {
  file?: FileSource;
  /** directory received files are created in */
  destination?: string;
  /** a receiver that offers (pull, RFC 5547 §8.2.2): the selectors of the file wanted (at least one) */
  pull?: Partial<FileSelector>;
  /** a receiver continuing a partial file: it pulls the rest when it offers, takes a ranged push when it answers */
  resume?: FileResumeState;
  /** a sender that offers only part of the file (1-based, inclusive; stop defaults to the last octet) */
  range?: { start: number; stop?: number };
  /** keep the partial file of a failed transfer for resuming (default false: delete it) */
  keepPartial?: boolean;
  /** default ['*'] */
  acceptTypes?: string[];
  /** default ['*'] */
  acceptWrappedTypes?: string[];
  /** wrap the file in Message/CPIM when the peer takes it (default: only when it takes the type only wrapped) */
  preferCpim?: boolean;
  /** CPIM From and To when wrapping (default anonymous, RFC 3862 §4.1) */
  localIdentity?: string;
  remoteIdentity?: string;
  /** a=file-transfer-id of an offer (default: 128 random bits, RFC 5547 §6) */
  transferId?: string;
  /** a=file-disposition (default `attachment`) */
  disposition?: string;
  /** the media i= line */
  description?: string;
  /** octets between `progress` events and the receiver's success REPORTs (default 4 MiB) */
  progressInterval?: number;
}

/** The 'progress' event. */
export interface FileProgress {
  /** octets of the file transferred: confirmed by the receiver (sender), written (receiver) */
  transferred: number;
  total: number | null;
}

/** Events of a FileTransferStream (the notification table is in docs/streams.md). */
export interface FileTransferStreamEvents extends StreamEvents {
  hashProgress: [progress: { hashed: number; total: number }];
  progress: [progress: FileProgress];
  /** the whole range went through; a receiver checked size and hash */
  finished: [info: { path: string | null; size: number | null; hash: FileHash | null }];
  /** the transfer failed; `partial` is set when a receiver kept the partial file */
  failed: [info: { reason: string; error: Error | null; partial: FileResumeState | null }];
}

interface Plan {
  selector: FileSelector;
  transferId: string;
  /** 1-based inclusive; stop null while the size is unknown */
  start: number;
  stop: number | null;
}

const ANONYMOUS = 'sip:anonymous@anonymous.invalid';
/** Files from this size on are hashed on a worker thread. */
const BACKGROUND_HASH_SIZE = 8 << 20;
/** Octets read before the CPIM header blocks of a wrapped file must have ended. */
const MAX_CPIM_HEAD = 64 * 1024;

function argumentError(message: string): MsrpStreamError {
  return new MsrpStreamError('MSRP_ERR_FILE_ARGUMENT', message);
}

function sdpFailure(message: string): MsrpStreamError {
  return new MsrpStreamError('MSRP_ERR_FILE_OFFER', message);
}

function sha1Of(selector: FileSelector | null): string | null {
  return selector?.hashes.find((h) => h.algorithm.toLowerCase() === FILE_HASH_ALGORITHM)?.value.toUpperCase() ?? null;
}

/** Whether a file matches every selector given (RFC 5547 §5: all selectors must match). */
function selects(wanted: FileSelector, file: FileSelector): boolean {
  if (wanted.name !== null && wanted.name !== file.name) return false;
  if (wanted.size !== null && wanted.size !== file.size) return false;
  if (wanted.type !== null && file.type !== null && wanted.type.split(';')[0].trim().toLowerCase() !== file.type.split(';')[0].trim().toLowerCase()) return false;
  const hash = sha1Of(wanted);
  return hash === null || hash === sha1Of(file);
}

/** See the module comment. */
export class FileTransferStream extends MsrpStreamBase<FileTransferStreamEvents> {
  /** true for the side that has the file */
  readonly sender: boolean;
  readonly #o: FileTransferStreamOptions;
  #plan: Plan | null = null;
  #sent: SentMessage | null = null;
  /** octets of the CPIM header block in front of the file (sender) */
  #head = 0;
  #confirmed = 0;
  #receiving = false;
  #settled = false;
  #resume: FileResumeState | null = null;

  constructor(options: FileTransferStreamOptions) {
    super(options);
    if ((options.file === undefined) === (options.destination === undefined)) {
      throw argumentError('a FileTransferStream needs either `file` (sender) or `destination` (receiver)');
    }
    if (options.range !== undefined && (options.file === undefined || !('path' in options.file))) {
      throw argumentError('`range` needs a file given by path');
    }
    this.sender = options.file !== undefined;
    this.#o = options;
  }

  /** The file-selector, range and transfer id agreed (after initialize). */
  get plan(): Readonly<Plan> | null {
    return this.#plan;
  }

  /** Sender: the first file octet (1-based) the receiver has not confirmed by success REPORT; resume from here. */
  get resumeOffset(): number {
    return (this.#plan?.start ?? 1) + this.#confirmed;
  }

  /** Receiver: the partial file kept by a failed transfer (`keepPartial`), else null. */
  get resumeState(): FileResumeState | null {
    return this.#resume;
  }

  protected async describe(offer: MsrpMedia | null): Promise<MediaParts> {
    const o = this.#o;
    let plan: Plan;
    if (this.sender) {
      const selector = await this.#selectorOfFile();
      if (offer === null) {
        const start = o.range?.start ?? 1;
        const stop = o.range?.stop ?? selector.size;
        if (!Number.isSafeInteger(start) || start < 1 || (stop !== null && (stop < start - 1 || (selector.size !== null && stop > selector.size)))) {
          throw argumentError(`range ${start}-${stop} is not within the file (1-${selector.size})`);
        }
        plan = { selector, transferId: o.transferId ?? randomBytes(16).toString('hex'), start, stop };
      } else {
        const wanted = offer.file?.selector;
        if (wanted == null) throw sdpFailure('the offer has no a=file-selector (RFC 5547 §8.2.2)');
        if (!selects(wanted, selector)) throw sdpFailure('the file asked for does not match this file (RFC 5547 §8.2.2: answer with port 0)');
        const range = offer.file?.range ?? null;
        plan = {
          selector, transferId: offer.file?.transferId ?? randomBytes(16).toString('hex'), start: range?.start ?? 1,
          stop: range === null || range.stop === '*' ? selector.size : Math.min(range.stop, selector.size ?? range.stop),
        };
      }
    } else if (offer === null) {
      const r = o.resume;
      const wanted = r?.selector ?? { name: o.pull?.name ?? null, type: o.pull?.type ?? null, size: o.pull?.size ?? null, hashes: o.pull?.hashes ?? [] };
      if (wanted.name === null && wanted.type === null && wanted.size === null && wanted.hashes.length === 0) {
        throw argumentError('a receiver that offers needs `pull` or `resume` with at least one selector (RFC 5547 §8.2.2)');
      }
      plan = { selector: wanted, transferId: o.transferId ?? randomBytes(16).toString('hex'), start: r?.next ?? 1, stop: wanted.size };
    } else {
      const f = offer.file;
      if (f?.selector == null) throw sdpFailure('the offer has no a=file-selector (RFC 5547 §8.2.1)');
      const start = f.range?.start ?? 1;
      const r = o.resume;
      if (r !== undefined) {
        if (!selects({ ...r.selector, name: null }, f.selector)) throw sdpFailure('the offered file is not the partial file to resume');
        // RFC 5547 §8.2.1: a range this side cannot take is rejected, rather than leave a hole
        if (start > r.next) throw sdpFailure(`the offer starts at octet ${start} but the partial file ends before ${r.next}: pull from ${r.next}`);
      } else if (start !== 1) {
        throw sdpFailure(`the offer starts at octet ${start} and there is no partial file to continue`);
      }
      plan = { selector: f.selector, transferId: f.transferId ?? randomBytes(16).toString('hex'), start, stop: f.range === null || f.range.stop === '*' ? f.selector.size : f.range.stop };
    }
    this.#plan = plan;
    const offering = offer === null;
    const file: FileTransferAttributes = {
      // a pulling offerer sends only the selectors it wants (RFC 5547 §8.2.2)
      selector: plan.selector, transferId: plan.transferId,
      disposition: this.sender ? o.disposition ?? 'attachment' : null, date: {}, icon: null,
      range: plan.start === 1 && (plan.stop === null || plan.stop === plan.selector.size) && (offering || offer?.file?.range == null)
        ? null : { start: plan.start, stop: plan.stop ?? '*' },
    };
    return {
      acceptTypes: o.acceptTypes ?? ['*'],
      acceptWrappedTypes: o.acceptWrappedTypes ?? ['*'],
      direction: offer !== null ? answerDirection(offer.direction) : this.sender ? 'sendonly' : 'recvonly',
      description: o.description ?? null,
      file,
    };
  }

  protected override checkRemote(remote: MsrpMedia): void {
    if (remote.file?.selector == null) throw sdpFailure('the remote media has no a=file-selector (RFC 5547 §6)');
    const plan = this.#plan as Plan;
    if (!this.sender && this.offerer) {
      // a pull: the sender's answer says what the file is (size and hash fill what was not asked)
      const got = remote.file.selector;
      plan.selector = {
        name: plan.selector.name ?? got.name, type: plan.selector.type ?? got.type, size: plan.selector.size ?? got.size,
        hashes: plan.selector.hashes.length > 0 ? plan.selector.hashes : got.hashes,
      };
      plan.stop ??= plan.selector.size;
    }
  }

  protected override sessionOptions(): MsrpSessionOptions {
    // the receiver sends its own incremental REPORTs, for what is on disk
    return { acceptTypes: this.localMedia?.acceptTypes, successReport: 'yes', failureReport: 'yes' };
  }

  protected onStart(session: MsrpSession): void {
    if (this.sender) {
      this.#send(session);
      return;
    }
    session.on('incoming', (stream) => void this.#receive(session, stream, stream.contentType, stream.size));
    session.on('message', (m) => void this.#receive(session, [m.body], m.contentType, m.body.length, m.chunk.getHeader('From-Path') ?? null, m.messageId));
    session.on('incomplete', (m) => {
      if (!this.#receiving) this.#failed(new MsrpStreamError('MSRP_ERR_FILE_INCOMPLETE', `the file message ended ${m.reason}`), null);
    });
  }

  protected override onEnding(error: Error | null): void {
    if (this.#settled || this.#receiving) return;
    if (this.sender && this.#sent !== null) return; // its outcome settles it
    this.#failed(error ?? new MsrpStreamError('MSRP_ERR_FILE_INCOMPLETE', 'the stream ended before the file was transferred'), null);
  }

  protected override onEnded(error: Error | null): void {
    this.onEnding(error);
  }

  async #selectorOfFile(): Promise<FileSelector> {
    const f = this.#o.file as FileSource;
    if ('stream' in f) {
      return { name: f.name, type: f.type ?? 'application/octet-stream', size: f.size, hashes: f.hash !== undefined ? [f.hash] : [] };
    }
    const size = (await stat(f.path)).size;
    const hash = f.hash ?? await hashFile(f.path, (hashed) => this.emit('hashProgress', { hashed, total: size }));
    return { name: f.name ?? basename(f.path), type: f.type ?? 'application/octet-stream', size, hashes: [hash] };
  }

  #send(session: MsrpSession): void {
    const plan = this.#plan as Plan;
    const f = this.#o.file as FileSource;
    const peer = this.remoteMedia as MsrpMedia;
    const type = plan.selector.type ?? 'application/octet-stream';
    const mode = deliveryMode(peer, type, this.#o.preferCpim ? 'prefer' : 'no');
    if (mode === null) {
      this.#failed(new MsrpStreamError('MSRP_ERR_FILE_REFUSED', `the peer takes ${type} neither plain nor wrapped (RFC 4975 §8.6)`, 415), null);
      return;
    }
    const stop = plan.stop ?? plan.selector.size ?? 0;
    const length = stop - plan.start + 1;
    let head: Buffer = Buffer.alloc(0);
    if (mode === 'cpim') {
      head = wrapCpim(Buffer.alloc(0), {
        from: this.#o.localIdentity ?? ANONYMOUS, to: [this.#o.remoteIdentity ?? ANONYMOUS], contentType: type,
        contentHeaders: [{ name: 'Content-Disposition', value: this.#o.disposition ?? 'attachment' }],
      });
    }
    this.#head = head.length;
    if (!fitsMaxSize(peer, head.length + length)) {
      if ('stream' in f) f.stream.destroy();
      this.#failed(new MsrpStreamError('MSRP_ERR_FILE_REFUSED', `${head.length + length} octets is over the peer's a=max-size`, 413), null);
      return;
    }
    // a file is read into reused buffers; a caller's stream is taken as it comes
    const body = 'path' in f ? new FileRangeSource(f.path, plan.start - 1, stop - 1, head)
      : mode === 'cpim' ? prefixed(head, f.stream) : f.stream;
    const sent = session.sendMessage(body, mode === 'cpim' ? CPIM_CONTENT_TYPE : type, { size: head.length + length });
    this.#sent = sent;
    const interval = this.#o.progressInterval ?? 4 << 20;
    let shown = 0;
    sent.on('progress', (p) => {
      this.#confirmed = Math.min(length, Math.max(0, p.reported - head.length));
      const done = Math.min(length, Math.max(0, Math.max(p.acknowledged, p.reported) - head.length));
      if (done - shown >= interval || done === length) {
        shown = done;
        this.emit('progress', { transferred: plan.start - 1 + done, total: plan.selector.size });
      }
    });
    sent.done.then((outcome) => {
      if (outcome.status === 'delivered') {
        this.#confirmed = length;
        this.#settled = true;
        this.emit('finished', { path: 'path' in f ? f.path : null, size: plan.selector.size, hash: plan.selector.hashes[0] ?? null });
      } else {
        this.#failed(new MsrpStreamError('MSRP_ERR_FILE_INCOMPLETE', `the file was not delivered: ${outcome.status} ${outcome.code} ${outcome.comment ?? ''}`.trim(), outcome.code), null);
      }
    }, (err: Error) => this.#failed(err, null));
  }

  /** Receives the file message (a stream, or a small message as one piece). */
  async #receive(session: MsrpSession, source: IncomingStream | Buffer[], contentType: string, size: number | null,
    fromPath: string | null = null, messageId: string | null = null): Promise<void> {
    if (this.#receiving || this.#settled) {
      // one file per session (RFC 5547 §8.7)
      if (!Array.isArray(source)) source.destroy();
      return;
    }
    this.#receiving = true;
    const plan = this.#plan as Plan;
    const o = this.#o;
    const stream = Array.isArray(source) ? null : source;
    const reportTo = stream?.chunk.getHeader('From-Path') ?? fromPath;
    const id = stream?.messageId ?? messageId ?? '';
    let path = '';
    let sink: FileSink | null = null;
    let background: BackgroundHash | null = null;
    let headLength = 0;
    try {
      const handle = o.resume !== undefined ? await open(o.resume.path, 'r+') : null;
      const created = handle === null ? await createUniqueFile(o.destination as string, plan.selector.name ?? 'file') : null;
      path = created?.path ?? (o.resume as FileResumeState).path;
      // a large file is hashed on a worker reading it back; a small one as it is written, when it starts at octet 1
      const fileSize = plan.selector.size ?? size ?? 0;
      if (sha1Of(plan.selector) !== null && (fileSize >= BACKGROUND_HASH_SIZE || plan.start !== 1)) background = new BackgroundHash(path);
      const base = plan.start - 1;
      sink = new FileSink((handle ?? created?.handle) as FileHandle, base, {
        hash: background === null, onWritten: (written) => background?.advance(base + written),
      });
      const interval = o.progressInterval ?? 4 << 20;
      const out = sink;
      let reported = 0;
      const take = (piece: Buffer): boolean => {
        const go = out.write(piece);
        if (out.written - reported >= interval) {
          reported = out.written;
          this.emit('progress', { transferred: plan.start - 1 + reported, total: plan.selector.size });
          if (reportTo !== null) this.#report(session, id, reportTo, headLength + reported, size);
        }
        return go;
      };
      // a wrapped file: the CPIM header blocks end within the first 64 KiB; the rest is content
      let head: Buffer[] | null = contentType.trim().toLowerCase().startsWith(CPIM_CONTENT_TYPE) ? [] : null;
      let headBytes = 0;
      const headLimit = Math.min(size ?? MAX_CPIM_HEAD, MAX_CPIM_HEAD);
      const endHead = (): boolean => {
        if (head === null) return true;
        const whole = Buffer.concat(head);
        head = null;
        const content = unwrapCpim(whole).content;
        headLength = whole.length - content.length;
        return take(content);
      };
      const feed = (piece: Buffer): boolean => {
        if (out.error !== null) throw out.error;
        if (head === null) return take(piece);
        // a borrowed view (below): what is kept is copied
        head.push(Buffer.from(piece));
        headBytes += piece.length;
        return headBytes < headLimit || endHead();
      };
      if (stream === null) {
        for (const piece of source as Buffer[]) feed(piece);
        endHead();
      } else {
        await new Promise<void>((resolve, reject) => {
          let ended = false;
          // borrowed views, no Readable: the sink copies each piece into its own buffers anyway
          stream.borrow((piece) => {
            try {
              if (feed(piece)) return true;
              // asked once the false is returned: a drain already come calls proceed() at once, which must find the pause
              queueMicrotask(() => out.onDrain(() => stream.proceed()));
              return false;
            } catch (err) {
              stream.destroy();
              reject(err as Error);
              return true;
            }
          });
          stream.once('end', () => {
            ended = true;
            try {
              endHead();
              resolve();
            } catch (err) {
              reject(err as Error);
            }
          });
          stream.once('error', reject);
          stream.once('close', () => { if (!ended) reject(new MsrpStreamError('MSRP_ERR_FILE_INCOMPLETE', 'the file message stopped')); });
        });
      }
      await sink.finish();
      await this.#check(sink, path, background);
    } catch (err) {
      background?.cancel();
      await this.#receiveFailed(err as Error, sink, path);
    }
  }

  /** An incremental success REPORT for message octets 1..end, all on disk (RFC 4975 §7.1.3). */
  #report(session: MsrpSession, messageId: string, toPath: string, end: number, total: number | null): void {
    if (session.closed) return;
    const report = session.transport.makeChunk({
      method: 'REPORT', messageId, start: 1, end, length: total ?? '*', status: { namespace: 0, code: StatusCode.OK, comment: reasonPhrase(StatusCode.OK) },
    });
    report.setHeader('To-Path', toPath);
    session.transport.writeChunk(report).catch(() => {});
  }

  /** The whole range arrived: size and hash checked (RFC 5547 §8.2.1), then finished. */
  async #check(sink: FileSink, path: string, background: BackgroundHash | null): Promise<void> {
    const plan = this.#plan as Plan;
    const expected = plan.stop === null ? null : plan.stop - plan.start + 1;
    if (expected !== null && sink.written !== expected) {
      throw new MsrpStreamError('MSRP_ERR_FILE_SIZE', `received ${sink.written} octets where the range ${plan.start}-${plan.stop} has ${expected}`);
    }
    const size = plan.selector.size;
    const complete = size === null || plan.start - 1 + sink.written === size;
    if (size !== null && complete) await sink.handle.truncate(size);
    const want = sha1Of(plan.selector);
    let hash: FileHash | null = null;
    if (complete && want !== null) {
      hash = background !== null ? await background.digest(plan.start - 1 + sink.written) : sink.digest() ?? await hashFile(path);
      if (hash.value !== want) throw new MsrpStreamError('MSRP_ERR_FILE_HASH', `the file's sha-1 ${hash.value} is not the announced ${want}`);
    } else {
      background?.cancel();
    }
    await sink.handle.close();
    this.#settled = true;
    this.emit('progress', { transferred: plan.start - 1 + sink.written, total: size });
    this.emit('finished', { path, size: size ?? sink.written, hash });
  }

  async #receiveFailed(error: Error, sink: FileSink | null, path: string): Promise<void> {
    const plan = this.#plan as Plan;
    let partial: FileResumeState | null = null;
    if (sink !== null) {
      try {
        await sink.finish();
      } catch { /* what could not be written is not kept */ }
      await sink.handle.close().catch(() => {});
      const whole = error instanceof MsrpStreamError && (error.code === 'MSRP_ERR_FILE_HASH' || error.code === 'MSRP_ERR_FILE_SIZE');
      if (this.#o.keepPartial && !whole) partial = { path, selector: plan.selector, next: plan.start + sink.written };
      else if (this.#o.resume === undefined || whole) await unlink(path).catch(() => {});
    }
    this.#resume = partial;
    this.#failed(error, partial);
  }

  #failed(error: Error, partial: FileResumeState | null): void {
    if (this.#settled) return;
    this.#settled = true;
    this.emit('failed', { reason: error.message, error, partial });
  }
}
