/**
 * WasmFramingEngine: the FramingEngine (types.ts) over the WebAssembly core
 * (assembly/framing.ts), with the same events as JsFramingEngine and the
 * reference model (fuzz/reference-parser.ts).
 *
 * Each feed is copied once into the core's input window; the core runs its
 * state machine and writes event records (assembly/events.ts) which are
 * turned into sink calls here: one wasm call per window, no callback per
 * chunk, header or octet. Body segments are views over the caller's Buffer,
 * never over wasm memory (the undici/llhttp pattern); only a held-back tail
 * of at most 43 octets (a cut end-line lookalike) comes out as a copy. A
 * socket may also read straight into the window (sharedReadBuffer() in
 * index.ts): such an input is not copied at all, and its segments are views
 * of the window, valid until the next read. With the native accelerator
 * (native.ts), body octets of any other input are scanned where they lie and
 * only the input from the end-line on is copied into the window.
 *
 * A head cut between two feeds: the core keeps only offsets, and this adapter
 * copies the head's octets so far (at most maxHeadLength) when a feed ends
 * inside it, to decode the head once it completes.
 *
 * Pausing: the core runs a whole window before the sink sees anything, so when
 * the sink pauses, the events after that point are decoded into a queue and
 * the octets the core already ran are skipped when fed again.
 */
import { FeedStatus } from './constants.ts';
import { DEFAULT_LIMITS } from './types.ts';
import type { FramingEngine, FramingLimits, FramingSink, RawError, RawHead } from './types.ts';
import type { CoreInstance } from './wasm.ts';
import { loadNative, type NativeScan } from './native.ts';
import {
  BODY, decodeError, decodeHead, END, ENTRY_SIZE, ERROR_SIZE, HEAD, HEAD_AT, HEAD_SIZE, HELD, HELD_SIZE, headLengthOf,
  headStartOf, SMALL_SIZE,
} from './wasm-records.ts';

/** Caps are u32 in the core; larger ones (Infinity included) are as good as no cap there. */
const CAP_MAX = 0x40000000;
const PAUSED = FeedStatus.PAUSED;

/** An event decoded while the sink was paused, with the stream offset just after it. */
interface Queued {
  kind: number;
  head?: RawHead;
  segment?: Buffer;
  flag?: number;
  error?: RawError;
  at: number;
}

/** What a nested feed saved of the outer feed's window, event table and result words. */
interface Saved {
  window: Buffer;
  events: Buffer;
  result: Buffer;
  windowBytes: number;
  eventBytes: number;
}

/** Window and event-table use of one core, so a feed nested in a sink call can save and restore it. */
interface CoreUse {
  busy: boolean;
  windowBytes: number;
  eventBytes: number;
}

const uses = new WeakMap<CoreInstance, CoreUse>();

/** The slot an engine holds, freed by the registry if the engine is collected without free(). */
interface SlotHold {
  exports: CoreInstance['exports'];
  slot: number;
}

const slotRegistry = new FinalizationRegistry<SlotHold>((hold) => {
  if (hold.slot >= 0) hold.exports.msrp_free(hold.slot);
  hold.slot = -1;
});

/**
 * See the module comment. A slot is held from construction (or reset) until
 * finish() or free(); throws RangeError when no slot fits the limits
 * (createFramingEngine then falls back to the TypeScript engine).
 */
export class WasmFramingEngine implements FramingEngine {
  readonly #core: CoreInstance;
  readonly #use: CoreUse;
  readonly #hold: SlotHold;
  /** the native accelerator (native.ts), null without one */
  readonly #native: NativeScan | null;
  /**
   * The current chunk's needle, a view of the slot's copy in wasm memory, for
   * the accelerator: made once per chunk (every head drops it), not per read.
   */
  #needle: Buffer | null = null;
  /** caps as the core takes them: maxLine, maxHeaders, maxHead, maxBody */
  readonly #caps: [number, number, number, number];
  #freed = false;
  /** stream offset of the next octet the caller hands in */
  #base = 0;
  /** octets past #base the core already ran before the sink paused */
  #ahead = 0;
  #queue: Queued[] = [];
  /**
   * Copy of the current head's octets before #base: #pendingLength octets
   * from stream offset #pendingFrom, in a buffer that grows by doubling (a
   * head fed an octet at a time is copied in linear time).
   */
  #pending: Buffer | null = null;
  #pendingLength = 0;
  #pendingFrom = 0;
  /** stream offset of the head the core is inside, -1 between heads */
  #headFrom = -1;

  constructor(core: CoreInstance, limits: FramingLimits = {}) {
    const l = { ...DEFAULT_LIMITS, ...limits };
    const cap = (n: number): number => Math.max(0, Math.min(n, CAP_MAX));
    this.#core = core;
    this.#native = loadNative();
    // more headers than an entry table holds (Infinity included) is for the TypeScript engine
    const headers = Math.max(0, l.maxHeaders);
    if (!(headers <= core.exports.msrp_header_capacity())) {
      throw new RangeError(`maxHeaders ${l.maxHeaders} exceeds the wasm pool's ${core.exports.msrp_header_capacity()}`);
    }
    this.#caps = [cap(l.maxLineLength), headers, cap(l.maxHeadLength), Math.max(0, l.maxBodyLength)];
    this.#hold = { exports: core.exports, slot: -1 };
    this.#hold.slot = this.#alloc();
    slotRegistry.register(this, this.#hold, this.#hold);
    let use = uses.get(core);
    if (use === undefined) {
      use = { busy: false, windowBytes: 0, eventBytes: 0 };
      uses.set(core, use);
    }
    this.#use = use;
  }

  #alloc(): number {
    const exports = this.#core.exports;
    const slot = exports.msrp_alloc(...this.#caps);
    if (slot < 0) throw new RangeError('every wasm parser slot is in use');
    return slot;
  }

  get #slot(): number {
    return this.#hold.slot;
  }

  #release(): void {
    if (this.#hold.slot >= 0) this.#core.exports.msrp_free(this.#hold.slot);
    this.#hold.slot = -1;
    this.#queue = [];
    this.#pending = null;
    this.#headFrom = -1;
    this.#needle = null;
  }

  /** The core variant this engine runs on. */
  get variant(): string {
    return `wasm-${this.#core.variant}`;
  }

  /** The parser slot held, -1 after finish() or free(). */
  get slot(): number {
    return this.#slot;
  }

  get holdsEvents(): boolean {
    return this.#queue.length > 0;
  }

  feed(input: Buffer, sink: FramingSink): number {
    if (this.#slot < 0) return input.length;
    const base = this.#base;
    if (this.#queue.length > 0) {
      const stop = this.#drain(sink, true);
      if (stop >= 0) {
        this.#keepHead(input, base, stop);
        return this.#stopAt(stop, base + this.#ahead);
      }
    }
    let pos = Math.min(this.#ahead, input.length);
    this.#ahead -= pos;
    const core = this.#core;
    const exports = core.exports;
    const saved = this.#enter();
    try {
      while (pos < input.length) {
        const memory = core.bytes();
        const windowed = input.buffer === memory.buffer && input.byteOffset + pos === core.inputPtr;
        if (this.#native !== null && !windowed) {
          // body octets free of the end-line go to the sink from where they lie, uncopied
          const to = this.#bodyAhead(input, pos);
          if (to > pos) {
            const go = sink.onBody(input.subarray(pos, to));
            pos = to;
            if (go === false || this.#slot < 0) {
              this.#keepHead(input, base, base + pos);
              return this.#stopAt(base + pos, base + pos);
            }
            continue;
          }
        }
        const length = Math.min(core.inputSize, input.length - pos);
        // a socket that read straight into the window (sharedReadBuffer) leaves nothing to copy;
        // a whole input that fits the window (every socket read) needs no view of it made
        if (!windowed) {
          memory.set(pos === 0 && length === input.length ? input : input.subarray(pos, pos + length), core.inputPtr);
        }
        this.#use.windowBytes = length;
        const winStream = base + pos;
        let offset = 0;
        for (;;) {
          const status = exports.msrp_feed(this.#slot, offset, length - offset);
          if (status > PAUSED) throw new Error(`msrp_feed failed with status ${status}`);
          const view = core.view();
          const result = core.resultPtr;
          const end = view.getInt32(result, true);
          const eventBytes = view.getUint32(result + 4, true);
          this.#headFrom = view.getUint32(result + 8, true) !== 0 ? winStream + view.getInt32(result + 12, true) : -1;
          this.#use.eventBytes = eventBytes;
          const stop = this.#dispatch(sink, input, pos, winStream, eventBytes);
          if (stop >= 0) {
            this.#keepHead(input, base, stop);
            return this.#stopAt(stop, winStream + end);
          }
          if (status !== PAUSED) break;
          offset = end;
        }
        pos += length;
      }
    } finally {
      this.#leave(saved);
    }
    this.#keepHead(input, base, base + input.length);
    this.#base = base + input.length;
    return input.length;
  }

  /**
   * With the native accelerator: the end of the plain body octets of `input`
   * from `pos` (where the end-line may begin, or the slot's cap), counted by
   * the core as taken; `pos` when the slot is not inside a body it hands on.
   */
  #bodyAhead(input: Buffer, pos: number): number {
    const exports = this.#core.exports;
    const room = exports.msrp_body_room(this.#slot);
    if (!(room > 0)) return pos;
    let needle = this.#needle;
    if (needle === null) {
      const at = exports.msrp_needle_ptr(this.#slot);
      needle = this.#core.bytes().subarray(at, at + exports.msrp_needle_length(this.#slot));
      this.#needle = needle;
    }
    const to = Math.min((this.#native as NativeScan).scanBody(input, pos, needle), pos + room);
    if (to > pos) exports.msrp_body_advance(this.#slot, to - pos);
    return to;
  }

  /** Segments queued behind a pause are views of the input: copies, before the input's memory is read into again. */
  detach(): void {
    for (const q of this.#queue) {
      if (q.segment !== undefined) q.segment = Buffer.from(q.segment);
    }
  }

  /** Reports what the stream's end means, then gives the slot back (a finished stream holds nothing). */
  finish(sink: FramingSink): void {
    if (this.#slot < 0) return;
    this.#drain(sink, false);
    this.#base += this.#ahead;
    this.#ahead = 0;
    const saved = this.#enter();
    try {
      this.#core.exports.msrp_finish(this.#slot);
      const eventBytes = this.#core.view().getUint32(this.#core.resultPtr + 4, true);
      this.#use.eventBytes = eventBytes;
      this.#dispatch(sink, Buffer.alloc(0), 0, this.#base, eventBytes);
    } finally {
      this.#leave(saved);
      this.#release();
    }
  }

  /** Back to the start of a stream; takes a slot again after finish() (RangeError when none is free). */
  reset(): void {
    if (this.#freed) return;
    if (this.#slot < 0) this.#hold.slot = this.#alloc();
    else this.#core.exports.msrp_reset(this.#slot);
    this.#base = 0;
    this.#ahead = 0;
    this.#queue = [];
    this.#pending = null;
    this.#headFrom = -1;
    this.#needle = null;
  }

  free(): void {
    this.#release();
    this.#freed = true;
    slotRegistry.unregister(this.#hold);
  }

  /**
   * Reports `stop` (a stream offset inside the current input) as the consumed
   * count; the core has run up to `ran`.
   */
  #stopAt(stop: number, ran: number): number {
    const consumed = stop - this.#base;
    this.#base = stop;
    this.#ahead = ran - stop;
    return consumed;
  }

  /**
   * A feed from inside a sink call on the same core would overwrite the
   * window and event table the outer feed is still reading: save them.
   */
  #enter(): Saved | null {
    const use = this.#use;
    if (!use.busy) {
      use.busy = true;
      return null;
    }
    const core = this.#core;
    const bytes = core.bytes();
    return {
      window: Buffer.from(bytes.subarray(core.inputPtr, core.inputPtr + use.windowBytes)),
      events: Buffer.from(bytes.subarray(core.eventsPtr, core.eventsPtr + use.eventBytes)),
      result: Buffer.from(bytes.subarray(core.resultPtr, core.resultPtr + 16)),
      windowBytes: use.windowBytes,
      eventBytes: use.eventBytes,
    };
  }

  #leave(saved: Saved | null): void {
    const use = this.#use;
    if (saved === null) {
      use.busy = false;
      return;
    }
    const core = this.#core;
    const bytes = core.bytes();
    bytes.set(saved.window, core.inputPtr);
    bytes.set(saved.events, core.eventsPtr);
    bytes.set(saved.result, core.resultPtr);
    use.windowBytes = saved.windowBytes;
    use.eventBytes = saved.eventBytes;
  }

  /**
   * Keeps a copy of the octets of the head in progress, if any, that come
   * before stream offset `upTo` (where the next input will start).
   */
  #keepHead(input: Buffer, base: number, upTo: number): void {
    const from = this.#headFrom;
    if (from < 0 || from >= upTo) {
      this.#pending = null;
      return;
    }
    const start = Math.max(from - base, 0);
    const stop = upTo - base;
    let kept = this.#pending;
    if (from < base && kept !== null) {
      // the same head goes on: the copy covers [from, base) already
      const need = this.#pendingLength + stop;
      if (need > kept.length) {
        const grown = Buffer.allocUnsafe(Math.max(need, kept.length * 2));
        kept.copy(grown, 0, 0, this.#pendingLength);
        kept = grown;
      }
      input.copy(kept, this.#pendingLength, 0, stop);
      this.#pendingLength = need;
    } else {
      kept = Buffer.allocUnsafe(Math.max(stop - start, 256));
      input.copy(kept, 0, start, stop);
      this.#pendingLength = stop - start;
      this.#pendingFrom = from;
    }
    this.#pending = kept;
  }

  /**
   * Hands the records of the last call to the sink. Once the sink pauses, the
   * records after that point are decoded into the queue instead. Returns the
   * stream offset after the event the sink paused on, or -1.
   */
  #dispatch(sink: FramingSink, input: Buffer, inputPos: number, winStream: number, eventBytes: number): number {
    const core = this.#core;
    const bytes = core.bytes();
    const view = core.view();
    const end = core.eventsPtr + eventBytes;
    const queue = this.#queue;
    let stop = -1;
    let size = 0;
    for (let r = core.eventsPtr; r < end; r += size) {
      const kind = bytes[r];
      size = kind === HEAD ? HEAD_SIZE + view.getUint16(r + 14, true) * ENTRY_SIZE
        : kind === BODY || kind === END ? SMALL_SIZE : kind === HELD ? HELD_SIZE : ERROR_SIZE;
      let go: boolean | void = true;
      let at = 0;
      if (kind === HEAD) {
        this.#needle = null;
        const head = this.#head(bytes, view, r, input, winStream);
        at = winStream + view.getInt32(r + HEAD_AT, true);
        if (stop < 0) go = sink.onHead(head);
        else queue.push({ kind, head, at });
      } else if (kind === BODY || kind === HELD) {
        let segment: Buffer;
        if (kind === BODY) {
          const offset = view.getInt32(r + 4, true);
          const length = view.getUint32(r + 8, true);
          segment = input.subarray(inputPos + offset, inputPos + offset + length);
          at = winStream + offset + length;
        } else {
          // held octets are carried in the record: a small copy
          segment = Buffer.from(bytes.subarray(r + 16, r + 16 + bytes[r + 1]));
          at = winStream + view.getInt32(r + 4, true);
        }
        if (stop < 0) go = sink.onBody(segment);
        else queue.push({ kind, segment, at });
      } else if (kind === END) {
        at = winStream + view.getInt32(r + 4, true);
        if (stop < 0) go = sink.onEnd(bytes[r + 1]);
        else queue.push({ kind, flag: bytes[r + 1], at });
      } else {
        const error = decodeError(bytes, view, r, winStream);
        if (stop < 0) sink.onError(error);
        else queue.push({ kind, error, at: -1 });
      }
      if (go === false && stop < 0) stop = at;
    }
    return stop;
  }

  /** Delivers queued events; with `pausable`, stops after one the sink pauses on and returns its offset. */
  #drain(sink: FramingSink, pausable: boolean): number {
    const queue = this.#queue;
    let i = 0;
    while (i < queue.length) {
      const q = queue[i++];
      let go: boolean | void = true;
      if (q.kind === HEAD) go = sink.onHead(q.head as RawHead);
      else if (q.kind === BODY || q.kind === HELD) go = sink.onBody(q.segment as Buffer);
      else if (q.kind === END) go = sink.onEnd(q.flag as number);
      else sink.onError(q.error as RawError);
      if (go === false && pausable) {
        this.#queue = queue.slice(i);
        return q.at;
      }
    }
    this.#queue = [];
    return -1;
  }

  /** The HEAD record at `r`, decoded from the input or, for a head cut between feeds, from its kept copy. */
  #head(bytes: Buffer, view: DataView, r: number, input: Buffer, winStream: number): RawHead {
    const headStart = headStartOf(view, r, winStream);
    const at = headStart - this.#base;
    if (at >= 0) return decodeHead(bytes, view, r, input, at, headStart);
    // The head began in an earlier feed: its first octets were kept in #pending.
    const source = Buffer.concat([(this.#pending as Buffer).subarray(headStart - this.#pendingFrom, this.#pendingLength),
      input.subarray(0, at + headLengthOf(view, r))]);
    return decodeHead(bytes, view, r, source, 0, headStart);
  }
}
