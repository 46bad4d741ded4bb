/**
 * Loads the hand-written framing cases in test/vectors/*.md (the llhttp
 * `test/request/*.md` pattern): each `## heading` holds prose, an optional
 * `<!-- limits={...} -->` comment, a ```msrp input block and a ```log block of
 * expected events. In the input block line breaks are layout only; octets are
 * written with the escapes \r \n \t \\ and \xHH.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { FramingLimits } from '../../src/core/types.ts';
import type { RefEvent } from '../../fuzz/reference-parser.ts';

/** One case from a vector file. */
export interface MdCase {
  file: string;
  title: string;
  limits: FramingLimits;
  input: Buffer;
  log: string[];
}

const DIR = new URL('./', import.meta.url);

/** Every case of every test/vectors/*.md file. */
export function loadMdCases(): MdCase[] {
  const cases: MdCase[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.md')).sort()) {
    const text = readFileSync(new URL(file, DIR), 'utf8');
    for (const section of text.split(/^## /m).slice(1)) {
      const title = section.slice(0, section.indexOf('\n')).trim();
      const input = /```msrp\n([\s\S]*?)```/.exec(section);
      const log = /```log\n([\s\S]*?)```/.exec(section);
      if (input === null || log === null) throw new Error(`${file}: "${title}" needs a msrp block and a log block`);
      const limits = /<!-- limits=(\{.*\}) -->/.exec(section);
      cases.push({
        file, title,
        limits: limits === null ? {} : JSON.parse(limits[1]),
        input: unescape(input[1]),
        log: log[1].split('\n').filter((l) => l.trim() !== ''),
      });
    }
  }
  return cases;
}

/** The octets an input block stands for. */
function unescape(block: string): Buffer {
  const latin1 = block.replace(/\n/g, '').replace(/\\(x[0-9a-fA-F]{2}|[rnt\\])/g, (_, e: string) =>
    e[0] === 'x' ? String.fromCharCode(parseInt(e.slice(1), 16)) : ({ r: '\r', n: '\n', t: '\t', '\\': '\\' } as Record<string, string>)[e]);
  return Buffer.from(latin1, 'latin1');
}

/** Events as log lines: heads and errors stamped with their stream offset. */
export function formatLog(events: RefEvent[]): string[] {
  const lines: string[] = [];
  for (const e of events) {
    switch (e.type) {
      case 'head':
        lines.push(`off=${e.offset} head tid=${e.transactionId} ` +
          (e.method !== null ? `method=${e.method}` : `code=${e.code} comment=${JSON.stringify(e.comment)}`) +
          (e.hasBody ? ' body' : ' bodiless'));
        for (const [name, value] of e.headers) lines.push(`header ${name}: ${JSON.stringify(value)}`);
        break;
      case 'body':
        lines.push(`body len=${e.data.length} ${JSON.stringify(e.data)}`);
        break;
      case 'end':
        lines.push(`end flag=${e.flag}`);
        break;
      case 'error':
        lines.push(`off=${e.offset} error ${e.code} status=${e.statusCode} fatal=${e.fatal} tid=${e.transactionId}`);
        break;
    }
  }
  return lines;
}
