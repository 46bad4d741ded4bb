/**
 * Message composition indication (RFC 3994): the
 * application/im-iscomposing+xml document, and the sender and receiver state
 * machines of §3.2 and §3.3 as small classes over an injectable clock. The
 * classes start no timers: the stream asks `nextDeadline()`, sets its own
 * timer, and calls `tick()` when it fires, so tests drive them with a fake
 * clock.
 */
import { formatCpimDateTime, parseCpimDateTime } from './cpim.ts';
import { childElement, escapeXml, parseXml, type XmlElement } from './xml.ts';
import { createParseError } from '../errors.ts';

/** The media type (RFC 3994 §7.1). */
export const ISCOMPOSING_CONTENT_TYPE = 'application/im-iscomposing+xml';

/** The XML namespace (RFC 3994 §6). */
export const ISCOMPOSING_NS = 'urn:ietf:params:xml:ns:im-iscomposing';

/** Default idle timeout of the composer, seconds (RFC 3994 §3.2). */
export const IDLE_TIMEOUT = 15;

/** Shortest active-state refresh interval, seconds (RFC 3994 §3.2: "SHOULD be no shorter than 60 seconds"). */
export const MIN_REFRESH = 60;

/** How long a receiver trusts an `active` without <refresh>, seconds (RFC 3994 §3.3). */
export const DEFAULT_RECEIVER_REFRESH = 120;

/** The composer states; unknown states read as idle (RFC 3994 §3.5). */
export type ComposingState = 'active' | 'idle';

/** An isComposing document (RFC 3994 §3.4). */
export interface IsComposing {
  state: ComposingState;
  /** when the user last added or edited content */
  lastActive: Date | null;
  /** the medium being composed: `text`, `audio`, `text/html`... */
  contentType: string | null;
  /** seconds after which the receiver can expect an update (positive integer) */
  refresh: number | null;
}

/** The XML body for an indication (UTF-8, elements in schema order). */
export function buildIsComposing(ic: Partial<IsComposing> & { state: ComposingState }): string {
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\r\n<isComposing xmlns="${ISCOMPOSING_NS}">\r\n  <state>${ic.state}</state>\r\n`;
  if (ic.lastActive != null) xml += `  <lastactive>${formatCpimDateTime(ic.lastActive)}</lastactive>\r\n`;
  if (ic.contentType != null) xml += `  <contenttype>${escapeXml(ic.contentType)}</contenttype>\r\n`;
  if (ic.refresh != null) {
    if (!Number.isSafeInteger(ic.refresh) || ic.refresh < 1) throw new RangeError('refresh must be a positive whole number of seconds');
    xml += `  <refresh>${ic.refresh}</refresh>\r\n`;
  }
  return `${xml}</isComposing>\r\n`;
}

function text(root: XmlElement, name: string): string | null {
  const el = childElement(root, root.namespace, name);
  return el === undefined ? null : el.text.trim();
}

/**
 * Parses an isComposing document. Elements of other namespaces are ignored
 * (RFC 3994 §3.5); a document without the namespace is tolerated. Throws
 * MsrpParseError (MSRP_ERR_XML) for malformed XML, a missing <state>, or a
 * <lastactive> or <refresh> that is not what the schema allows.
 */
export function parseIsComposing(body: Buffer | string): IsComposing {
  const root = parseXml(body);
  const fail = (message: string) => createParseError('MSRP_ERR_XML', `isComposing: ${message}`, 400);
  if (root.localName !== 'isComposing' || (root.namespace !== ISCOMPOSING_NS && root.namespace !== null)) {
    throw fail(`root element is <${root.name}> in ${root.namespace ?? 'no namespace'}`);
  }
  const state = text(root, 'state');
  if (state === null) throw fail('no <state>');
  const lastActive = text(root, 'lastactive');
  const refresh = text(root, 'refresh');
  if (refresh !== null && !/^\d{1,9}$/.test(refresh)) throw fail(`<refresh> ${JSON.stringify(refresh)} is not a positive integer`);
  let when: Date | null = null;
  if (lastActive !== null) {
    try {
      when = parseCpimDateTime(lastActive).date;
    } catch {
      throw fail(`<lastactive> ${JSON.stringify(lastActive)} is not a date-time`);
    }
  }
  return {
    state: state === 'active' ? 'active' : 'idle',
    lastActive: when,
    contentType: text(root, 'contenttype'),
    refresh: refresh === null || Number(refresh) === 0 ? null : Number(refresh),
  };
}

/** A clock in milliseconds (Date.now by default). */
export type Clock = () => number;

/** Options of a ComposingSender. */
export interface ComposingSenderOptions {
  /** seconds without typing before going idle (default 15) */
  idleTimeout?: number;
  /** active-state refresh interval in seconds, at least 60 (default 60); null sends no refreshes */
  refresh?: number | null;
  /** <contenttype> to put in indications */
  contentType?: string | null;
  now?: Clock;
}

/**
 * The composer side (RFC 3994 §3.2, Figure 1): `typing()` when the user adds
 * or edits content, `messageSent()` when the content message goes out,
 * `tick()` at `nextDeadline()`. Each returns the indication to send, if any.
 */
export class ComposingSender {
  /** the current state */
  state: ComposingState = 'idle';
  readonly idleTimeout: number;
  readonly refresh: number | null;
  readonly contentType: string | null;
  private readonly now: Clock;
  private lastTyping = 0;
  private lastSent = 0;

  constructor(options: ComposingSenderOptions = {}) {
    this.idleTimeout = options.idleTimeout ?? IDLE_TIMEOUT;
    this.refresh = options.refresh === undefined ? MIN_REFRESH : options.refresh;
    if (!(this.idleTimeout > 0)) throw new RangeError('idleTimeout must be positive');
    if (this.refresh !== null && (!Number.isSafeInteger(this.refresh) || this.refresh < MIN_REFRESH)) {
      throw new RangeError(`refresh must be a whole number of seconds, at least ${MIN_REFRESH} (RFC 3994 §3.2)`);
    }
    this.contentType = options.contentType ?? null;
    this.now = options.now ?? Date.now;
  }

  /** The user added or edited content: an `active` indication when this starts composition, else null. */
  typing(): IsComposing | null {
    this.lastTyping = this.now();
    if (this.state === 'active') return null;
    this.state = 'active';
    return this.active();
  }

  /** The content message was sent: idle again, with no indication (RFC 3994 §3.2). */
  messageSent(): void {
    this.state = 'idle';
  }

  /** Due work at the current time: `idle` after the idle timeout, else an `active` refresh when due. */
  tick(): IsComposing | null {
    if (this.state !== 'active') return null;
    const now = this.now();
    if (now >= this.lastTyping + this.idleTimeout * 1000) {
      this.state = 'idle';
      this.lastSent = now;
      return { state: 'idle', lastActive: new Date(this.lastTyping), contentType: this.contentType, refresh: null };
    }
    if (this.refresh !== null && now >= this.lastSent + this.refresh * 1000) return this.active();
    return null;
  }

  /** When `tick()` next has work (ms on the clock), or null while idle. */
  nextDeadline(): number | null {
    if (this.state !== 'active') return null;
    const idleAt = this.lastTyping + this.idleTimeout * 1000;
    return this.refresh === null ? idleAt : Math.min(idleAt, this.lastSent + this.refresh * 1000);
  }

  private active(): IsComposing {
    this.lastSent = this.now();
    return { state: 'active', lastActive: new Date(this.lastTyping), contentType: this.contentType, refresh: this.refresh };
  }
}

/**
 * The receiving side (RFC 3994 §3.3, Figure 2): active after an `active`
 * indication until an `idle` one, a content message, or the refresh interval
 * (the indication's <refresh>, else 120 s) passes. Each method returns true
 * when the state changed (the moment to tell the application).
 */
export class ComposingReceiver {
  /** the current state */
  state: ComposingState = 'idle';
  /** the latest indication received, or null */
  last: IsComposing | null = null;
  private readonly now: Clock;
  private expiresAt = 0;

  constructor(now: Clock = Date.now) {
    this.now = now;
  }

  /** An indication arrived (several `active` in a row are fine, §3.3). */
  indication(ic: IsComposing): boolean {
    const before = this.state;
    this.last = ic;
    this.state = ic.state;
    if (ic.state === 'active') this.expiresAt = this.now() + (ic.refresh ?? DEFAULT_RECEIVER_REFRESH) * 1000;
    return this.state !== before;
  }

  /** A content message arrived: the composer is idle. */
  messageReceived(): boolean {
    const changed = this.state === 'active';
    this.state = 'idle';
    return changed;
  }

  /** Expires an `active` state whose refresh interval has passed. */
  tick(): boolean {
    if (this.state === 'active' && this.now() >= this.expiresAt) {
      this.state = 'idle';
      return true;
    }
    return false;
  }

  /** When an `active` state expires (ms on the clock), or null while idle. */
  nextDeadline(): number | null {
    return this.state === 'active' ? this.expiresAt : null;
  }
}
