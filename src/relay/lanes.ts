/**
 * Cut-through forwarding of SEND chunks (RFC 4976 §6.4.1). Each incoming
 * chunk becomes a ForwardJob: its head is rewritten at once and its body
 * octets are handed on as they arrive, through a PushSource, to the
 * downstream connection's writer, which cuts them into chunks with new
 * transaction ids and Byte-Ranges of their own, interrupts them with `+` when
 * other sessions' traffic waits on a shared connection, and checks the
 * streamed body for each new end-line. Nothing waits for a whole chunk.
 *
 * Jobs of one session toward one destination run in a Lane, one after the
 * other, so the chunks of a message leave in the order they came (RFC 4976
 * §3: relays "resend the resulting chunks in order"); lanes are the fairness
 * groups of the downstream writer, so sessions sharing a connection take
 * turns. The octets a job holds count against its upstream connection's
 * forwarding window (RelayPeer): a slow downstream pauses the upstream reader.
 *
 * A job's downstream chunks that fail (an error response, a 408 after 30 s,
 * a connection lost or never opened) end it and, as the SEND's
 * Failure-Report asks, give a REPORT to the sender; its remaining octets are
 * then dropped.
 */
import type { Logger } from '../log.ts';
import type { Chunk, ContinuationFlag } from '../protocol/chunk.ts';
import type { ReportValue } from '../protocol/headers.ts';
import { isSuccess, StatusCode } from '../protocol/status.ts';
import { PushSource, type MessageOutcome, type MsrpConnection, type OutgoingMessage } from '../transport.ts';
import type { RelayPeer } from './peer.ts';
import { reportFailure, type ReportTarget } from './reports.ts';
import type { Destination } from './route.ts';

/** Octets a job counts against its upstream window besides its body: bounds the queue of tiny chunks. */
export const JOB_COST = 512;

/**
 * The connection to a destination: at once when one is open (so a lane's next
 * job starts in the same writer turn as the last one ended), else a promise.
 * Throws or rejects when there is none to be had.
 */
export type Opener = (destination: Destination) => MsrpConnection | Promise<MsrpConnection>;

/** A PushSource whose octets count against the upstream connection's window until taken. */
class WindowSource extends PushSource {
  readonly #peer: RelayPeer;
  closed = false;

  constructor(peer: RelayPeer) {
    super(null, Number.POSITIVE_INFINITY);
    this.#peer = peer;
  }

  override take(max: number): Buffer | null {
    const piece = super.take(max);
    if (piece !== null) this.#peer.release(piece.length);
    return piece;
  }

  override close(): void {
    if (this.closed) return;
    this.closed = true;
    const queued = this.queued;
    super.close();
    if (queued > 0) this.#peer.release(queued);
  }
}

/** What a job is made from: the incoming chunk's head, rewritten. */
export interface JobInit {
  upstream: RelayPeer;
  /** the forwarded chunks' header block, split where Byte-Range goes (OutgoingMessageInit.template) */
  template: [string, string];
  messageId: string;
  /** 1-based range-start of the incoming chunk */
  start: number;
  total: number | '*';
  failureReport: ReportValue;
  report: ReportTarget;
}

/** One incoming SEND chunk on its way downstream. */
export class ForwardJob {
  readonly init: JobInit;
  readonly source: WindowSource;
  /** body octets received from upstream */
  received = 0;
  /** the incoming chunk's flag, once its end-line came */
  flag: ContinuationFlag | null = null;
  message: OutgoingMessage | null = null;
  failed = false;

  constructor(init: JobInit) {
    this.init = init;
    this.source = new WindowSource(init.upstream);
  }

  /** A piece of the body; false when the upstream window is full (pause reading). */
  push(segment: Buffer): boolean {
    if (this.source.closed) return true; // failed: the rest is dropped
    this.received += segment.length;
    // segments are views valid only during the call unless the connection reads fresh Buffers
    // (a dialed connection reads into the process's shared buffer: ConnectOptions.sharedReadBuffer)
    this.source.write(this.init.upstream.connection.segmentsRetainable ? segment : Buffer.from(segment));
    return this.init.upstream.hold(segment.length);
  }

  /** The end-line came with `flag` (`#` too when the upstream connection broke inside the body). */
  end(flag: ContinuationFlag): void {
    this.flag = flag;
    if (this.message !== null) this.message.lastFlag = flag;
    this.source.end();
  }

  /** Ends the job with a failure: drops what is left and reports `code` upstream when asked to. */
  fail(code: number, comment: string | null): void {
    if (this.failed) return;
    this.failed = true;
    this.source.close();
    const { start, total } = this.init;
    const end = Math.max(start - 1, start + this.received - 1);
    reportFailure(this.init.upstream.connection, this.init.report, { start, end, total }, code, comment);
  }
}

/** The jobs of one session toward one destination, run in order. */
export class Lane {
  readonly destination: Destination;
  readonly #open: Opener;
  readonly #logger: Logger;
  readonly #jobs: ForwardJob[] = [];
  #current: ForwardJob | null = null;

  constructor(destination: Destination, open: Opener, logger: Logger) {
    this.destination = destination;
    this.#open = open;
    this.#logger = logger;
  }

  /** Queues a job; it starts once the jobs before it are written. */
  add(job: ForwardJob): void {
    this.#jobs.push(job);
    if (this.#current === null) this.#next();
  }

  #next(): void {
    const job = this.#jobs.shift();
    if (job === undefined) {
      this.#current = null;
      return;
    }
    this.#current = job;
    if (job.failed) return this.#done(job);
    const unreachable = (error: Error): void => {
      this.#logger.warn({ destination: this.destination.key, err: error.message }, 'relay: next hop unreachable');
      job.fail(StatusCode.REQUEST_TIMEOUT, 'Request Timeout (next hop unreachable)');
      this.#done(job);
    };
    let connection: MsrpConnection | Promise<MsrpConnection>;
    try {
      connection = this.#open(this.destination);
    } catch (error) {
      return unreachable(error as Error);
    }
    if (connection instanceof Promise) connection.then((c) => this.#start(job, c), unreachable);
    else this.#start(job, connection);
  }

  #start(job: ForwardJob, connection: MsrpConnection): void {
    if (job.failed) return this.#done(job);
    const { template, messageId, start, total, failureReport } = job.init;
    const message = connection.sendMessage({
      headers: [], template, messageId, source: job.source, offset: start - 1, total, failureReport, group: this,
    });
    job.message = message;
    if (job.flag !== null) message.lastFlag = job.flag;
    // a connection that closed under us fails the message before any hook is set
    if (message.settled) return this.#lost(job, new Error('the connection closed'));
    // bound methods, not closures: this runs for every forwarded chunk
    message.on('written', this.#done.bind(this, job));
    // RFC 4975 §7.1.4: with `partial`, errors come after the chunk was settled as written
    if (failureReport === 'partial') message.on('late-response', (_sent, response: Chunk) => job.fail(response.code, response.comment));
    message.onSettled = this.#settled.bind(this, job);
  }

  /** The job's message settled: a failing code is reported, a failed connection ends the job. */
  #settled(job: ForwardJob, outcome: MessageOutcome | null, error: Error | null): void {
    if (error !== null) this.#lost(job, error);
    else if (outcome !== null && outcome.code !== 0 && !isSuccess(outcome.code)) job.fail(outcome.code, outcome.comment);
  }

  #lost(job: ForwardJob, error: Error): void {
    this.#logger.debug({ destination: this.destination.key, err: error.message }, 'relay: downstream connection failed');
    job.fail(StatusCode.REQUEST_TIMEOUT, 'Request Timeout (next hop connection lost)');
    this.#done(job);
  }

  #done(job: ForwardJob): void {
    if (this.#current !== job) return;
    job.init.upstream.release(JOB_COST);
    this.#next();
  }
}
