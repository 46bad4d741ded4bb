/**
 * The progress display of long transfers, hand-written (a bar is a few lines;
 * no dependency): on a terminal one line redrawn in place with a bar, bytes,
 * rate and ETA; elsewhere (a pipe, a log file, CI) a plain line at every
 * tenth of the way, so logs stay short and readable. Rate and ETA use the
 * average since the first octet, which is steady enough for an estimate.
 */

/** Octets as a short decimal string: `512 B`, `1.5 kB`, `100.0 MB` (SI units, as transfer rates are quoted). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Octets per second as `120.3 MB/s`. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** Seconds as `0:07`, `12:30` or `1:02:03`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (x: number) => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** A time taken: `0.8 s` under a minute, else as formatDuration. */
export function formatElapsed(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(1)} s` : formatDuration(seconds);
}

/** A snapshot of a transfer, as the JSON `progress` event carries it. */
export interface ProgressState {
  transferred: number;
  total: number | null;
  /** octets per second, averaged since the start; 0 before any time passed */
  rate: number;
  /** seconds left at that rate, null when unknown */
  eta: number | null;
}

/** Options of a Progress display. */
export interface ProgressOptions {
  /** what is moving, e.g. `sending photo.jpg` */
  label: string;
  total: number | null;
  /** redraw one line in place (a terminal) rather than print plain lines */
  tty: boolean;
  write: (text: string) => void;
  /** ms clock (default Date.now) */
  now?: () => number;
  /** bar width in characters (default 24) */
  width?: number;
}

/** Ms between redraws on a terminal: a bar redrawn more often only costs CPU. */
const REDRAW_MS = 100;

/** See the module comment. */
export class Progress {
  readonly #o: ProgressOptions;
  readonly #now: () => number;
  readonly #start: number;
  #last = -Infinity;
  /** tenths already printed as plain lines */
  #tenths = 0;
  #state: ProgressState;
  #open = false;

  constructor(options: ProgressOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#start = this.#now();
    this.#state = { transferred: 0, total: options.total, rate: 0, eta: null };
  }

  /** The latest snapshot. */
  get state(): ProgressState {
    return this.#state;
  }

  /** Records `transferred` octets so far and shows it when due; returns the snapshot. */
  update(transferred: number): ProgressState {
    // the same count again (a REPORT repeating what was confirmed) changes nothing on screen
    if (transferred === this.#state.transferred && this.#last !== -Infinity) return this.#state;
    const now = this.#now();
    const seconds = (now - this.#start) / 1000;
    const total = this.#o.total;
    const rate = seconds > 0 ? transferred / seconds : 0;
    const eta = total !== null && rate > 0 ? (total - transferred) / rate : null;
    this.#state = { transferred, total, rate, eta };
    const finished = total !== null && transferred >= total;
    if (this.#o.tty) {
      if (finished || now - this.#last >= REDRAW_MS) {
        this.#last = now;
        this.#o.write(`\r${this.line()}\x1b[K`);
        this.#open = true;
      }
    } else if (total !== null && total > 0) {
      const tenths = Math.min(10, Math.floor((transferred / total) * 10));
      if (tenths > this.#tenths) {
        this.#tenths = tenths;
        this.#o.write(`${this.line()}\n`);
      }
    }
    return this.#state;
  }

  /** Ends the display: a terminal line is closed with a newline. */
  done(): void {
    if (this.#open) this.#o.write('\n');
    this.#open = false;
  }

  /** The progress as one line of text (with a bar on a terminal). */
  line(): string {
    const { transferred, total, rate, eta } = this.#state;
    const parts = [this.#o.label];
    if (total !== null && total > 0) {
      const fraction = Math.min(1, transferred / total);
      if (this.#o.tty) {
        const width = this.#o.width ?? 24;
        const filled = Math.round(fraction * width);
        parts.push(`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`);
      }
      parts.push(`${Math.floor(fraction * 100)}%`.padStart(4), `${formatBytes(transferred)} of ${formatBytes(total)}`);
    } else {
      parts.push(formatBytes(transferred));
    }
    parts.push(formatRate(rate));
    if (eta !== null && !(total !== null && transferred >= total)) parts.push(`ETA ${formatDuration(eta)}`);
    return parts.join('  ');
  }
}
