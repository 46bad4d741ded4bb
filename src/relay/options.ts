/**
 * MsrpRelay options and their defaults. Every limit the relay enforces is
 * here, with a safe default: connections, sessions per user, header size,
 * the probation of a new connection (RFC 4976 §6.1), AUTH failures, Expires
 * bounds (§6.3), idle connections (§6.5), and the forwarding window that
 * bounds the octets the relay holds for one upstream connection.
 */
import type { MsrpTlsOptions } from '../connect/tls.ts';
import type { FramingLimits } from '../core/types.ts';
import { noopLogger, type Logger, type TrafficLog } from '../log.ts';
import type { Chunk } from '../protocol/chunk.ts';
import type { DigestAlgorithm } from '../protocol/digest.ts';
import { MsrpUri } from '../protocol/uri.ts';
import type { CredentialStore } from './credentials.ts';
import { RelayAddress } from './use-path.ts';

/** Bounds and default of the Expires granted to an AUTH, in seconds (RFC 4976 §4.6, §6.3). */
export interface ExpiresBounds {
  /** shortest Expires accepted; below it 423 with Min-Expires (default 60) */
  min: number;
  /** granted when the AUTH asks for none (default 1800) */
  default: number;
  /** longest Expires accepted; above it 423 with Max-Expires (default 7200) */
  max: number;
}

/** Options of an MsrpRelay. */
export interface MsrpRelayOptions {
  /** the relay's host name, put in Use-Path URIs (RFC 4976 §4.2: a name, not a numeric address) */
  host: string;
  /** other names and addresses AUTH may be sent to */
  aliases?: readonly string[];
  /** allow a numeric `host` (loopback tests; RFC 4976 §4.2 forbids it in Use-Path) */
  allowNumericHost?: boolean;
  /** address to listen on (default 0.0.0.0) */
  listenHost?: string;
  /** TLS port (default 2855; 0 for any free port); the TLS listener needs `tls.cert` and `tls.key` */
  port?: number;
  /** certificate and key of the relay, CAs that peer relays' certificates must chain to (mutual TLS, RFC 4976 §9.2) */
  tls?: MsrpTlsOptions;
  /** no TLS listener (only with `tcpPort`): an insecure relay for tests and trusted networks */
  noTls?: boolean;
  /** also listen on plain TCP on this port (0 for any free port); off unless given, since RFC 4976 §9.2 wants TLS */
  tcpPort?: number;
  /** forward to msrp: (plain TCP) next hops too (default false: relay-to-relay traffic is TLS, RFC 4976 §9.4) */
  insecureNextHops?: boolean;
  /** digest realm (default `host`) */
  realm?: string;
  /** who may use the relay (RFC 4976 §6.3) */
  credentials: CredentialStore;
  /** algorithms challenged with, preferred first (default SHA-256, MD5; never MD5-sess, RFC 4976 §9.1) */
  algorithms?: readonly DigestAlgorithm[];
  /** seconds a nonce may be used (default 300) */
  nonceLifetime?: number;
  /** Expires bounds in seconds */
  expires?: Partial<ExpiresBounds>;
  /** authorization after authentication; false answers 403 (RFC 4976 §6.3) */
  authorize?: (username: string, auth: Chunk) => boolean | Promise<boolean>;
  /** ms a new connection has to make a successful request (default 30000, RFC 4976 §6.1) */
  probationTimeout?: number;
  /** failed AUTHs in a row after which a client's connection is closed (default 3, RFC 4976 §6.3) */
  maxAuthFailures?: number;
  /** most accepted connections at once (default 10000); more are refused */
  maxConnections?: number;
  /** most live sessions (Use-Path URIs) per user (default 100); more get 403 */
  maxSessionsPerUser?: number;
  /** framing caps (header size: maxHeadLength, default 16384 here) */
  limits?: FramingLimits;
  /** ms without a byte either way after which a connection is closed (default 3600000, RFC 4976 §6.5) */
  idleTimeout?: number;
  /** ms a forwarded request waits for its response before a 408 (default 30000, RFC 4976 §6.4.1) */
  transactionTimeout?: number;
  /** ms to open a connection to a next hop (default 10000) */
  connectTimeout?: number;
  /** octets of one upstream connection's SEND bodies held before its reading pauses (default 262144) */
  forwardWindow?: number;
  /** most body octets per forwarded chunk (default unlimited; about 10 KB toward Kamailio) */
  maxChunkSize?: number;
  /** octets one session writes per turn on a shared connection (default 65536) */
  sliceSize?: number;
  /** 'refuse' answers unknown methods 501 instead of forwarding them (RFC 4976 §6.4.2 allows both) */
  unknownMethods?: 'forward' | 'refuse';
  logger?: Logger;
  trafficLog?: TrafficLog | null;
}

/** The options with every default filled in. */
export interface RelaySettings extends Required<Omit<MsrpRelayOptions,
  'aliases' | 'tls' | 'tcpPort' | 'expires' | 'authorize' | 'trafficLog' | 'limits' | 'maxChunkSize'>> {
  aliases: readonly string[];
  tls: MsrpTlsOptions;
  tcpPort: number | null;
  expires: ExpiresBounds;
  authorize: MsrpRelayOptions['authorize'] | null;
  trafficLog: TrafficLog | null;
  limits: FramingLimits;
  maxChunkSize: number | undefined;
}

/** Default TLS port of a relay (RFC 4976 §8). */
export const DEFAULT_RELAY_PORT = 2855;

/** Default header block cap of a relay: headers are relayed, not consumed, so far less than a body. */
export const DEFAULT_RELAY_HEAD_LENGTH = 16384;

function positive(name: string, value: number, integer = true): number {
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new RangeError(`${name} must be a positive ${integer ? 'integer' : 'number'}`);
  return value;
}

/** Fills in defaults and checks the options; throws RangeError/TypeError on bad ones. */
export function relaySettings(options: MsrpRelayOptions): RelaySettings {
  if (typeof options.host !== 'string' || options.host === '') throw new TypeError('a relay needs a host name');
  if (options.credentials === undefined) throw new TypeError('a relay needs a credential store');
  const noTls = options.noTls ?? false;
  if (noTls && options.tcpPort === undefined) throw new RangeError('noTls needs tcpPort: the relay would listen nowhere');
  // the host must make valid Use-Path URIs (RFC 4976 §4.2: a name, an explicit port): checked before any port opens
  new RelayAddress({ uri: MsrpUri.from({ scheme: 'msrps', user: null, host: options.host, port: DEFAULT_RELAY_PORT, sessionId: null, transport: 'tcp', params: [] }),
    allowNumericHost: options.allowNumericHost });
  const expires: ExpiresBounds = { min: 60, default: 1800, max: 7200, ...options.expires };
  if (!(expires.min >= 0 && expires.min <= expires.default && expires.default <= expires.max)) {
    throw new RangeError('expires must satisfy 0 <= min <= default <= max');
  }
  const algorithms = options.algorithms ?? ['SHA-256', 'MD5'];
  if (algorithms.length === 0) throw new RangeError('at least one digest algorithm');
  if (algorithms.includes('MD5-sess')) throw new RangeError('MSRP relays must not challenge with MD5-sess (RFC 4976 §9.1)');
  return {
    host: options.host,
    aliases: options.aliases ?? [],
    allowNumericHost: options.allowNumericHost ?? false,
    listenHost: options.listenHost ?? '0.0.0.0',
    port: options.port ?? DEFAULT_RELAY_PORT,
    tls: options.tls ?? {},
    noTls,
    tcpPort: options.tcpPort ?? null,
    insecureNextHops: options.insecureNextHops ?? false,
    realm: options.realm ?? options.host,
    credentials: options.credentials,
    algorithms,
    nonceLifetime: positive('nonceLifetime', options.nonceLifetime ?? 300, false),
    expires,
    authorize: options.authorize ?? null,
    probationTimeout: positive('probationTimeout', options.probationTimeout ?? 30_000),
    maxAuthFailures: positive('maxAuthFailures', options.maxAuthFailures ?? 3),
    maxConnections: positive('maxConnections', options.maxConnections ?? 10_000),
    maxSessionsPerUser: positive('maxSessionsPerUser', options.maxSessionsPerUser ?? 100),
    limits: { maxHeadLength: DEFAULT_RELAY_HEAD_LENGTH, ...options.limits },
    idleTimeout: positive('idleTimeout', options.idleTimeout ?? 3_600_000),
    transactionTimeout: positive('transactionTimeout', options.transactionTimeout ?? 30_000),
    connectTimeout: positive('connectTimeout', options.connectTimeout ?? 10_000),
    forwardWindow: positive('forwardWindow', options.forwardWindow ?? 262_144),
    maxChunkSize: options.maxChunkSize,
    sliceSize: positive('sliceSize', options.sliceSize ?? 65_536),
    unknownMethods: options.unknownMethods ?? 'forward',
    logger: options.logger ?? noopLogger,
    trafficLog: options.trafficLog ?? null,
  };
}
