/**
 * DesktopSharingStream (sipsimple's desktop/screen sharing stream): an RFB
 * (VNC, RFC 6143) byte stream carried over MSRP as `application/x-rfb` SENDs
 * both ways.
 *
 * Roles, as `a=rfbsetup` says (the sipsimple convention): the `server` side
 * shares its screen and connects to a local VNC server (vncHost, vncPort);
 * the `viewer` side (`a=rfbsetup:active`) listens on localhost for a local
 * VNC viewer (the 'listening' event gives the port). An answerer takes the
 * role the offer leaves it unless one is given.
 *
 * Media: `m=application ... TCP/MSRP *` with `a=rfbsetup`, as sipsimple and
 * Blink write it. RFC 4975 §8.1 wants `m=message`; both are accepted on
 * input (`media: 'message'` writes the RFC form), see docs/streams.md.
 *
 * Octets keep their order: one message is on its way at a time; what the
 * local socket gives meanwhile is joined into the next message (up to
 * `maxMessage` octets), and the local socket is paused while more than
 * `highWater` octets wait. Received messages are written in the order they
 * complete (large ones are gathered first). Either end closing ends the
 * stream cleanly: the local socket closing ends the MSRP session, the
 * session ending closes the local socket after what is queued for it.
 */
import net from 'node:net';
import { MsrpStreamError } from '../errors.ts';
import type { MsrpSession, SentMessage } from '../session.ts';
import { type RfbRole, rfbRoleFacing, rfbSetupFor } from './sdp-negotiation.ts';
import type { MsrpMedia } from './sdp.ts';
import { gatherIncoming, type MediaParts, MsrpStreamBase, type StreamEvents, type StreamOptions } from './stream-base.ts';

/** The RFB media type sipsimple uses. */
export const RFB_CONTENT_TYPE = 'application/x-rfb';

/** Options of a DesktopSharingStream. */
export interface DesktopSharingStreamOptions extends StreamOptions {
  /** `server` shares this screen, `viewer` shows the peer's; an offerer must say, an answerer defaults to the role the offer leaves */
  role?: RfbRole;
  /** the local VNC server (server role; default 127.0.0.1:5900) */
  vncHost?: string;
  vncPort?: number;
  /** where a local viewer connects (viewer role; default 127.0.0.1, any free port) */
  listenHost?: string;
  listenPort?: number;
  /** `application` (default, as sipsimple) or `message` (RFC 4975 §8.1) in the m= line */
  media?: 'application' | 'message';
  /** most octets per SEND (default 512 KiB, below the session's whole-message limit) */
  maxMessage?: number;
  /** octets waiting to be sent before the local socket is paused (default 4 MiB) */
  highWater?: number;
  /** octets received and waiting for the local socket to appear before the stream fails (default 16 MiB) */
  maxPending?: number;
}

/** Events of a DesktopSharingStream (the notification table is in docs/streams.md). */
export interface DesktopSharingStreamEvents extends StreamEvents {
  /** viewer role: the local listener is ready for a VNC viewer */
  listening: [address: { host: string; port: number }];
  /** the local VNC server or viewer is connected */
  localConnected: [];
  /** the local VNC connection closed; the stream ends */
  localClosed: [info: { error: Error | null }];
}

/** See the module comment. */
export class DesktopSharingStream extends MsrpStreamBase<DesktopSharingStreamEvents> {
  readonly #o: DesktopSharingStreamOptions;
  #role: RfbRole | null;
  #listener: net.Server | null = null;
  #local: net.Socket | null = null;
  /** octets for the peer, not yet sent */
  #out: Buffer[] = [];
  #outBytes = 0;
  #inFlight: SentMessage | null = null;
  /** octets from the peer waiting for the local socket, in order */
  #in: Buffer[] = [];
  #inBytes = 0;
  /** received messages being gathered or written, in order */
  #inbound: Promise<void> = Promise.resolve();
  #closing = false;

  constructor(options: DesktopSharingStreamOptions = {}) {
    super(options);
    this.#o = options;
    this.#role = options.role ?? null;
  }

  /** This side's role, once known. */
  get role(): RfbRole | null {
    return this.#role;
  }

  /** Viewer role: the address a local VNC viewer connects to, once listening. */
  get localAddress(): { host: string; port: number } | null {
    const a = this.#listener?.address();
    return a !== null && a !== undefined && typeof a === 'object' ? { host: a.address, port: a.port } : null;
  }

  protected async describe(offer: MsrpMedia | null): Promise<MediaParts> {
    let role = this.#role;
    if (offer === null && role === null) throw new MsrpStreamError('MSRP_ERR_STREAM_ARGUMENT', 'an offering DesktopSharingStream needs `role`');
    if (offer !== null) {
      const left = rfbRoleFacing(offer);
      if (role !== null && role !== left) throw new MsrpStreamError('MSRP_ERR_STREAM_ARGUMENT', `the offer leaves the ${left} role, not ${role}`);
      role = left;
    }
    this.#role = role;
    if (role === 'viewer') await this.#listen();
    return {
      media: this.#o.media ?? 'application',
      acceptTypes: [RFB_CONTENT_TYPE],
      rfbSetup: rfbSetupFor(role as RfbRole),
    };
  }

  protected override checkRemote(remote: MsrpMedia): void {
    if (remote.rfbSetup !== null && remote.rfbSetup === rfbSetupFor(this.#role as RfbRole)) {
      throw new MsrpStreamError('MSRP_ERR_STREAM_ARGUMENT', `both sides want the ${this.#role} role (a=rfbsetup:${remote.rfbSetup})`);
    }
  }

  protected onStart(session: MsrpSession): void {
    session.on('message', (m) => this.#receive(Promise.resolve(m.body)));
    session.on('incoming', (stream) => this.#receive(gatherIncoming(stream, this.#o.maxPending ?? 16 << 20)));
    session.on('drain', () => this.#pump());
    if (this.#role === 'server') {
      const socket = net.connect(this.#o.vncPort ?? 5900, this.#o.vncHost ?? '127.0.0.1');
      socket.once('connect', () => this.#attach(socket));
      socket.once('error', (err) => {
        if (this.#local === null) this.fail(new MsrpStreamError('MSRP_ERR_STREAM_FAILED', `cannot reach the VNC server: ${err.message}`, 0, { cause: err }));
      });
    }
  }

  protected override onEnding(): void {
    this.#closing = true;
    this.#listener?.close();
    this.#listener = null;
    const local = this.#local;
    // what the peer sent is written first; then the local side sees the end
    if (local !== null) void this.#inbound.then(() => local.end());
  }

  protected override onEnded(): void {
    this.onEnding();
  }

  async #listen(): Promise<void> {
    const server = net.createServer({ pauseOnConnect: false }, (socket) => {
      if (this.#local !== null || this.#closing) {
        socket.destroy(); // one viewer per stream
        return;
      }
      server.close();
      this.#attach(socket);
    });
    this.#listener = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#o.listenPort ?? 0, this.#o.listenHost ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.emit('listening', this.localAddress as { host: string; port: number });
  }

  /** The local VNC connection is up: both directions start flowing. */
  #attach(socket: net.Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    this.#local = socket;
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.#fromLocal(data));
    socket.on('error', () => {});
    socket.once('close', (hadError) => {
      this.emit('localClosed', { error: hadError ? new MsrpStreamError('MSRP_ERR_STREAM_FAILED', 'the local VNC connection failed') : null });
      void this.end();
    });
    for (const piece of this.#in.splice(0)) socket.write(piece);
    this.#inBytes = 0;
    this.emit('localConnected');
  }

  #fromLocal(data: Buffer): void {
    this.#out.push(data);
    this.#outBytes += data.length;
    if (this.#outBytes > (this.#o.highWater ?? 4 << 20)) this.#local?.pause();
    this.#pump();
  }

  /** Sends what waits as one message once the previous one is written. */
  #pump(): void {
    const session = this.session;
    if (this.#inFlight !== null || this.#outBytes === 0 || session === null || session.closed || !session.writable) return;
    const max = this.#o.maxMessage ?? 512 << 10;
    let body: Buffer;
    if (this.#outBytes <= max) {
      body = this.#out.length === 1 ? this.#out[0] : Buffer.concat(this.#out, this.#outBytes);
      this.#out = [];
    } else {
      const all = Buffer.concat(this.#out, this.#outBytes);
      body = all.subarray(0, max);
      this.#out = [all.subarray(max)];
    }
    this.#outBytes -= body.length;
    const sent = session.sendMessage(body, RFB_CONTENT_TYPE, { successReport: 'no' });
    this.#inFlight = sent;
    sent.outgoing.once('written', () => {
      this.#inFlight = null;
      if (this.#outBytes <= (this.#o.highWater ?? 4 << 20)) this.#local?.resume();
      this.#pump();
    });
  }

  /** A message from the peer, written to the local socket after those before it. */
  #receive(body: Promise<Buffer | null>): void {
    this.#inbound = this.#inbound.then(async () => {
      const data = await body;
      if (data === null || data.length === 0) return;
      const local = this.#local;
      if (local !== null) {
        local.write(data);
        return;
      }
      this.#in.push(data);
      this.#inBytes += data.length;
      if (this.#inBytes > (this.#o.maxPending ?? 16 << 20)) {
        this.fail(new MsrpStreamError('MSRP_ERR_STREAM_FAILED', 'no local VNC connection came while the peer kept sending'));
      }
    });
  }
}
