/**
 * `msrp decode [FILE|-] [--json]`: reads raw MSRP octets (one direction of a
 * TCP capture) and prints each chunk: start line, headers, body length with a
 * short preview, continuation flag. Bodies are streamed, never held whole, so
 * a capture of any size decodes in constant memory.
 */
import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { ChunkParser } from '../protocol/chunk-parser.ts';
import type { MsrpParseError } from '../errors.ts';

/** Octets of body kept for the preview. */
const PREVIEW = 60;

/** What one decoded chunk looks like in `--json` output. */
export interface DecodedChunk {
  index: number;
  transactionId: string;
  method: string | null;
  code: number | null;
  comment: string | null;
  headers: Array<[string, string]>;
  /** null for a bodiless chunk, else the body's octet count */
  bodyLength: number | null;
  bodyPreview: string | null;
  continuationFlag: string;
}

/** Summary of a decode run. */
export interface DecodeResult {
  chunks: number;
  errors: number;
  /** true when framing was lost (the rest of the input was not decodable) */
  fatal: boolean;
}

/** Printable preview: UTF-8 text as is (control characters escaped), else hex. */
function preview(bytes: Buffer, total: number): string {
  const text = bytes.toString('utf8');
  const printable = !text.includes('\ufffd') && !/[\x00-\x08\x0e-\x1f\x7f]/.test(text);
  let shown = printable ? JSON.stringify(text) : `hex ${bytes.toString('hex')}`;
  if (total > bytes.length) shown += ' …';
  return shown;
}

function formatText(c: DecodedChunk): string {
  const start = c.method !== null
    ? `MSRP ${c.transactionId} ${c.method}`
    : `MSRP ${c.transactionId} ${c.code}${c.comment !== null ? ' ' + c.comment : ''}`;
  const lines = [`#${c.index} ${start}`];
  for (const [name, value] of c.headers) lines.push(`  ${name}: ${value}`);
  lines.push(c.bodyLength === null ? '  (no body)' : `  body: ${c.bodyLength} octets ${c.bodyPreview}`);
  const meaning = c.continuationFlag === '$' ? 'last chunk' : c.continuationFlag === '+' ? 'more chunks follow' : 'message aborted';
  lines.push(`  -------${c.transactionId}${c.continuationFlag} (${meaning})`);
  return lines.join('\n') + '\n';
}

/** Decodes `input` to `out`; resolves when the input ends. */
export function decodeStream(input: Readable, out: Writable, json: boolean, err: Writable): Promise<DecodeResult> {
  const result: DecodeResult = { chunks: 0, errors: 0, fatal: false };
  let length = 0;
  let kept: Buffer[] = [];
  let keptLength = 0;
  const parser = new ChunkParser({
    wholeChunkLimit: 0,
    onHead() {
      length = 0;
      kept = [];
      keptLength = 0;
    },
    onBody(segment) {
      length += segment.length;
      if (keptLength < PREVIEW) {
        const piece = Buffer.from(segment.subarray(0, PREVIEW - keptLength));
        kept.push(piece);
        keptLength += piece.length;
      }
    },
    onEnd(chunk) {
      result.chunks++;
      const c: DecodedChunk = {
        index: result.chunks,
        transactionId: chunk.transactionId,
        method: chunk.method,
        code: chunk.method === null ? chunk.code : null,
        comment: chunk.comment,
        headers: chunk.headers.map(([n, v]): [string, string] => [n, v]),
        bodyLength: chunk.body === undefined ? null : length,
        bodyPreview: chunk.body === undefined ? null : preview(Buffer.concat(kept), length),
        continuationFlag: chunk.continuationFlag,
      };
      // a slow reader of our output slows the reading of the input
      if (!out.write(json ? JSON.stringify(c) + '\n' : formatText(c)) && !input.isPaused()) {
        input.pause();
        out.once('drain', () => input.resume());
      }
    },
    onError(error: MsrpParseError) {
      result.errors++;
      if (error.fatal) result.fatal = true;
      const answer = error.statusCode > 0 ? `; a peer would answer ${error.statusCode}` : '';
      const record = { error: error.code, message: error.message, statusCode: error.statusCode, fatal: error.fatal, offset: error.offset };
      if (json) out.write(JSON.stringify(record) + '\n');
      else err.write(`error: ${error.message}${answer}${error.fatal ? '; framing lost, the rest is not decodable' : ''}\n`);
    },
  });
  return new Promise((resolve, reject) => {
    input.on('data', (data: Buffer) => parser.push(data));
    input.on('error', reject);
    input.on('end', () => {
      parser.finish();
      parser.free();
      resolve(result);
    });
  });
}

/** Opens FILE, or stdin for `-` or no argument. */
export function openInput(file: string | undefined): Readable {
  return file === undefined || file === '-' ? process.stdin : createReadStream(file);
}
