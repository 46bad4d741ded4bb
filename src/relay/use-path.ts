/**
 * The path arithmetic of RFC 4976, free of sockets.
 *
 * Client side (§5.1): with the Use-Path of the outermost AUTH ("B C" for
 * relays B then C), the SDP `a=path` offered to the peer is the Use-Path
 * reversed followed by our own URI ("C B A"), and the To-Path toward the
 * peer is the Use-Path followed by the peer's `a=path` ("B C D E F"). An
 * AUTH to a further relay goes through the ones already authenticated.
 *
 * Relay side (§6.4, §6.4.2, §6.4.3): forwarding a request, or a response
 * with more To-Path URIs, moves the first To-Path URI (ours) to the front of
 * the From-Path; the Use-Path granted to an AUTH lists the relays between us
 * and the client followed by our new URI (§5.1 example, m4nbvx). Which To-Path
 * URIs are ours is decided by RFC 4975 §6.1 comparison (MsrpUri.equals).
 */
import { randomBytes } from 'node:crypto';
import type { MsrpUri } from '../protocol/uri.ts';

/** The SDP `a=path` for the peer: the Use-Path reversed, then our URI (RFC 4976 §5.1). */
export function localPath(usePath: readonly MsrpUri[], localUri: MsrpUri): MsrpUri[] {
  return [...usePath].reverse().concat(localUri);
}

/** The To-Path toward the peer: our Use-Path, then the peer's `a=path` (RFC 4976 §5.1). */
export function toPathToPeer(usePath: readonly MsrpUri[], remotePath: readonly MsrpUri[]): MsrpUri[] {
  if (remotePath.length === 0) throw new RangeError('the peer\'s path needs at least its own URI');
  return usePath.concat(remotePath);
}

/**
 * The To-Path of an AUTH to `relayUri` sent through the relays already
 * authenticated with (their Use-Path), e.g. "intra/jui787s2f extra" (RFC 4976 §5.1).
 */
export function authToPath(usePathSoFar: readonly MsrpUri[], relayUri: MsrpUri): MsrpUri[] {
  return usePathSoFar.concat(relayUri);
}

/**
 * The Use-Path a relay grants an AUTH: the relays between it and the client
 * (the AUTH's From-Path without its last URI, the client) in To-Path order,
 * then the relay's new URI (RFC 4976 §4.2; §5.1 example m4nbvx).
 */
export function grantedUsePath(authFromPath: readonly MsrpUri[], sessionUri: MsrpUri): MsrpUri[] {
  if (authFromPath.length === 0) throw new RangeError('an AUTH has a From-Path');
  return authFromPath.slice(0, -1).concat(sessionUri);
}

/** To-Path and From-Path after one relay hop. */
export interface ForwardedPaths<T> {
  toPath: T[];
  fromPath: T[];
  /** the URI moved: the relay's own */
  hop: T;
}

/**
 * The paths a relay forwards (RFC 4976 §6.4.1, §6.4.2, §6.4.3): the first
 * To-Path URI is removed and put before every From-Path URI, unchanged.
 * Throws RangeError when it would leave the To-Path empty (we are the target).
 */
export function forwardPaths<T>(toPath: readonly T[], fromPath: readonly T[]): ForwardedPaths<T> {
  if (toPath.length < 2) throw new RangeError('the To-Path has no URI after ours: nothing to forward to');
  return { toPath: toPath.slice(1), fromPath: [toPath[0], ...fromPath], hop: toPath[0] };
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** The header values after one relay hop, as `forwardPathValues` gives them; the word lists are made only when asked for. */
export class ForwardedPathValues implements ForwardedPaths<string> {
  readonly hop: string;
  readonly toPathValue: string;
  readonly fromPathValue: string;

  constructor(hop: string, toPathValue: string, fromPathValue: string) {
    this.hop = hop;
    this.toPathValue = toPathValue;
    this.fromPathValue = fromPathValue;
  }

  get toPath(): string[] {
    return this.toPathValue.split(/[ \t]+/);
  }

  get fromPath(): string[] {
    return this.fromPathValue.split(/[ \t]+/);
  }
}

/** The last rewrite: a relay forwards chunk after chunk of one session with the same two values. */
let lastTo = '';
let lastFrom = '';
let lastForwarded: ForwardedPathValues | null = null;

/**
 * `forwardPaths` over the header values as written, for cut-through: the
 * first To-Path URI moves to the front of the From-Path byte for byte, other
 * URIs keep their text, separators are normalised to one SP where touched
 * (RFC 4975 §9; a lenient reader accepts runs of whitespace). Only `hop`
 * needs parsing, to check that it is ours.
 */
export function forwardPathValues(toPath: string, fromPath: string): ForwardedPathValues {
  if (lastForwarded !== null && toPath === lastTo && fromPath === lastFrom) return lastForwarded;
  let s = 0;
  while (s < toPath.length && isWs(toPath.charCodeAt(s))) s++;
  let e = s;
  while (e < toPath.length && !isWs(toPath.charCodeAt(e))) e++;
  let r = e;
  while (r < toPath.length && isWs(toPath.charCodeAt(r))) r++;
  if (s === e || r === toPath.length) throw new RangeError('the To-Path has no URI after ours: nothing to forward to');
  const hop = toPath.slice(s, e);
  lastForwarded = new ForwardedPathValues(hop, toPath.slice(r).trimEnd(), `${hop} ${fromPath.trim()}`);
  lastTo = toPath;
  lastFrom = fromPath;
  return lastForwarded;
}

/** A session id for a Use-Path URI: 120 random bits, base64url (RFC 4975 §9 session-id characters; RFC 4976 §6.3 asks for 64). */
export function randomSessionId(): string {
  return randomBytes(15).toString('base64url');
}

/** True when `host` is an IPv4 or IPv6 literal rather than a name. */
function isNumericHost(host: string): boolean {
  return host.includes(':') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

/** How a relay is reached: its URI and the names it answers to. */
export interface RelayAddressOptions {
  /** the relay's URI as handed out: host name and explicit port (RFC 4976 §4.2), no session id */
  uri: MsrpUri;
  /** other host names and addresses the relay answers AUTH to (URIs with the same port and transport) */
  aliases?: readonly string[];
  /** port assumed when an AUTH To-Path URI has none (RFC 4976 §8: SRV then 2855), default 2855 */
  defaultPort?: number;
  /** allow a numeric host in Use-Path URIs, which RFC 4976 §4.2 forbids (loopback tests) */
  allowNumericHost?: boolean;
}

/**
 * A relay's own URIs: the one AUTH is sent to, the session URIs it hands out
 * in Use-Path, and the test "is this To-Path URI mine" (RFC 4975 §6.1).
 */
export class RelayAddress {
  /** the relay's URI, without a session id */
  readonly uri: MsrpUri;
  private readonly names: MsrpUri[];

  constructor(options: RelayAddressOptions) {
    const { uri } = options;
    if (uri.sessionId !== null) throw new RangeError('the relay URI must not carry a session id');
    if (uri.port === null) throw new RangeError('the relay URI needs an explicit port (RFC 4976 §4.2)');
    if (!options.allowNumericHost && isNumericHost(uri.host)) {
      throw new RangeError('Use-Path URIs need a host name, not a numeric address (RFC 4976 §4.2)');
    }
    this.uri = uri.user === null && uri.params.length === 0 ? uri : uri.with({ user: null, params: [] });
    const bases = [this.uri, ...(options.aliases ?? []).map((host) => this.uri.with({ host }))];
    // RFC 4976 §8: only an AUTH's To-Path may leave the port out; it then means the default one
    const defaultPort = options.defaultPort ?? 2855;
    this.names = bases.concat(uri.port === defaultPort ? bases.map((b) => b.with({ port: null })) : []);
  }

  /** A new URI for a Use-Path, with a fresh random session id. */
  newSessionUri(): MsrpUri {
    return this.uri.with({ sessionId: randomSessionId() });
  }

  /** True when `uri` is the relay itself (no session id): an AUTH addressed to us. */
  isRelayUri(uri: MsrpUri): boolean {
    return uri.sessionId === null && this.names.some((n) => n.equals(uri));
  }
}

/**
 * The Use-Path URIs a relay handed out, each with its value (a session):
 * `get` answers "is this To-Path URI mine, and whose" by session id, then
 * RFC 4975 §6.1 comparison with the URI as handed out (scheme, host, port,
 * transport; userinfo and other parameters ignored).
 */
export class UsePathTable<T> {
  private readonly bySession = new Map<string, { uri: MsrpUri; value: T }>();

  /** Remembers `uri` (it must have a session id, unique in the table). */
  add(uri: MsrpUri, value: T): void {
    const id = uri.sessionId;
    if (id === null) throw new RangeError('a Use-Path URI handed out has a session id');
    if (this.bySession.has(id)) throw new RangeError(`session id ${id} is already in use`);
    this.bySession.set(id, { uri, value });
  }

  /** The value of `uri` when it is one we handed out, else undefined. */
  get(uri: MsrpUri): T | undefined {
    if (uri.sessionId === null) return undefined;
    const e = this.bySession.get(uri.sessionId);
    return e !== undefined && e.uri.equals(uri) ? e.value : undefined;
  }

  /** Forgets `uri` (expired, or its connection closed, RFC 4976 §6.3); true when it was there. */
  delete(uri: MsrpUri): boolean {
    return this.get(uri) !== undefined && this.bySession.delete(uri.sessionId as string);
  }

  /** How many URIs are live. */
  get size(): number {
    return this.bySession.size;
  }
}
