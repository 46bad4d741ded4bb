/**
 * Logging: a pluggable structured logger with pino's method names (so a pino
 * logger can be passed as is), a no-op default, and the traffic log, which
 * records every chunk in both directions with its direction and time (the
 * counterpart of msrplib's trafficlog). Bodies are summarised, never dumped
 * whole: text up to a few hundred octets, binary as a length.
 */
import type { Chunk } from './protocol/chunk.ts';

/** One log method: `(fields, message)` or `(message)`, as pino takes them. */
export type LogFn = (fieldsOrMessage: Record<string, unknown> | string, message?: string) => void;

/** A structured logger; pino, bunyan-like adapters or a console wrapper fit. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** a logger adding `bindings` to every record (optional: loggers without it are used as is) */
  child?(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => {};

/** The default logger: drops everything. */
export const noopLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** `logger.child(bindings)` when the logger has it, else the logger itself. */
export function childLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  return typeof logger.child === 'function' ? logger.child(bindings) : logger;
}

/** A logger printing one line per record to the console (for the CLI and debugging). */
export function consoleLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = ['debug', 'info', 'warn', 'error'];
  const make = (name: 'debug' | 'info' | 'warn' | 'error'): LogFn => {
    if (order.indexOf(name) < order.indexOf(level)) return noop;
    return (fields, message) => {
      const text = typeof fields === 'string' ? fields : `${message ?? ''} ${JSON.stringify(fields)}`;
      console[name === 'debug' ? 'log' : name](`[msrp] ${name}: ${text}`);
    };
  };
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') };
}

/** One chunk as the traffic log sees it. */
export interface TrafficRecord {
  /** 'in' for a chunk read from the connection, 'out' for one written to it */
  direction: 'in' | 'out';
  /** when the chunk's end-line was read or written (ms since the epoch) */
  time: number;
  /** a label for the connection, such as `127.0.0.1:2855->127.0.0.1:40012` */
  connection: string;
  /** start line and headers as on the wire */
  head: string;
  /** octets in the body; -1 for a bodiless chunk */
  bodyLength: number;
  /** the body as text when it is short UTF-8 text, else a summary like `[65536 octets binary]` */
  body: string;
  /** the end-line, such as `-------a786hjs2+` */
  endLine: string;
}

/** Receives every chunk in both directions. */
export type TrafficLog = (record: TrafficRecord) => void;

/** Bodies longer than this are shown as their first octets and a count. */
export const TRAFFIC_TEXT_LIMIT = 512;

/**
 * A summary of body bytes for the traffic log: `pieces` are the body's first
 * octets (up to TRAFFIC_TEXT_LIMIT are looked at), `length` the whole length.
 * Text is shown when it decodes as UTF-8 without control characters other
 * than CR, LF and TAB; anything else is summarised as binary.
 */
export function summarizeBody(pieces: readonly Buffer[], length: number): string {
  if (length < 0) return '';
  if (length === 0) return '';
  const head: Buffer[] = [];
  let taken = 0;
  for (const p of pieces) {
    if (taken >= TRAFFIC_TEXT_LIMIT) break;
    const part = p.subarray(0, TRAFFIC_TEXT_LIMIT - taken);
    head.push(part);
    taken += part.length;
  }
  const sample = head.length === 1 ? head[0] : Buffer.concat(head);
  // a UTF-8 sequence cut at the sample's end is not binary: drop up to 3 trailing octets
  let text: string | null = null;
  for (let cut = 0; cut <= 3 && cut <= sample.length && text === null; cut++) {
    const s = sample.subarray(0, sample.length - cut);
    const decoded = s.toString('utf8');
    if (!decoded.includes('\ufffd') && !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(decoded)) text = decoded;
    if (length <= sample.length) break; // the whole body was looked at: no cut to forgive
  }
  if (text === null) return `[${length} octets binary]`;
  return length > sample.length ? `${text}... [${length} octets]` : text;
}

/** The start line and header block of a chunk as written on the wire (no blank line). */
export function headText(chunk: Chunk): string {
  const start = chunk.method !== null ? chunk.method : chunk.comment === null ? String(chunk.code) : `${chunk.code} ${chunk.comment}`;
  let s = `MSRP ${chunk.transactionId} ${start}`;
  for (const [name, value] of chunk.headers) s += `\r\n${name}: ${value}`;
  return s;
}

/** The traffic record as multi-line text, as msrplib's traffic log prints it. */
export function formatTrafficRecord(r: TrafficRecord): string {
  const arrow = r.direction === 'in' ? '<<<' : '>>>';
  const body = r.bodyLength < 0 ? '' : `\r\n\r\n${r.body}`;
  return `${arrow} ${new Date(r.time).toISOString()} ${r.connection}\r\n${r.head}${body}\r\n${r.endLine}\r\n`;
}

/** A TrafficLog writing formatted records through `write` (for example process.stderr.write). */
export function trafficLogTo(write: (text: string) => void): TrafficLog {
  return (record) => write(formatTrafficRecord(record));
}

/** A TrafficLog sending each record to `logger.debug` as structured fields. */
export function trafficLogToLogger(logger: Logger): TrafficLog {
  return (record) => logger.debug({ ...record }, `msrp ${record.direction}`);
}
