/**
 * Relay settings of ConnectorRelay and AcceptorRelay, and how a relay's
 * settings become the addresses to try (RFC 4976 §8): an explicit port is
 * used as it is; without one, the `_msrps._tcp` SRV records of the host are
 * looked up and ordered by the RFC 2782 selection algorithm, and when there
 * are none the host itself is tried on port 2855.
 */
import { promises as dnsPromises, type SrvRecord } from 'node:dns';
import net from 'node:net';
import { MsrpUri } from '../protocol/uri.ts';
import type { MsrpTlsOptions } from './tls.ts';

/** The default MSRP port (RFC 4976 §8, RFC 4975 §15.4). */
export const DEFAULT_RELAY_PORT = 2855;

/** What an SRV lookup needs: node:dns `promises`, or a `dns.promises.Resolver` pointed at other servers. */
export interface SrvResolver {
  resolveSrv(name: string): Promise<SrvRecord[]>;
}

/** One relay a client AUTHs to (RFC 4976 §5.1). */
export interface RelayOptions {
  /** the relay's domain name (SRV lookup when no port is given) or address */
  host: string;
  /** the relay's port; absent: SRV `_msrps._tcp.<host>`, then 2855 (RFC 4976 §8) */
  port?: number;
  /** user name for Digest (absent: AUTH without credentials; a 401 then fails) */
  username?: string;
  /**
   * The password, or a function giving it when the relay challenges (read
   * from a file, a prompt or a secret store: it never has to be on a command line).
   */
  password?: string | (() => string | Promise<string>);
  /** the realm credentials are for: a challenge for another realm fails (default: the realm the relay names) */
  realm?: string;
  /** TLS settings of the connection to the relay (default: the connector's `tls`) */
  tls?: MsrpTlsOptions;
  /**
   * AUTH over plain TCP (msrp:) instead of TLS. RFC 4976 §9.2 requires TLS for
   * AUTH: for relays on a trusted link and for tests only.
   */
  insecure?: boolean;
  /** most body octets in one chunk sent through this relay (Kamailio refuses frames above about 11 KB: 10240) */
  maxChunkSize?: number;
  /**
   * Seconds asked for in Expires (RFC 4976 §4.6); sent only when set (stock
   * Kamailio mishandles Expires together with Authorization).
   */
  expires?: number;
  /** refresh the AUTH before it expires (default true) */
  refresh?: boolean;
  /** SRV resolver (default node:dns) */
  resolver?: SrvResolver;
}

/** Where to connect for one attempt at a relay, and the URI its AUTH names. */
export interface RelayTarget {
  settings: RelayOptions;
  /** the host and port to connect to (the SRV target when one was used) */
  connectUri: MsrpUri;
  /** the AUTH To-Path URI: the relay as configured, without a port when none was given (RFC 4976 §8) */
  authUri: MsrpUri;
}

/** The relay settings as a list in the order they are tried. */
export function relayList(relay: RelayOptions | readonly RelayOptions[]): RelayOptions[] {
  const list = Array.isArray(relay) ? [...relay] : [relay as RelayOptions];
  if (list.length === 0) throw new RangeError('the relay list is empty');
  for (const r of list) {
    if (typeof r?.host !== 'string' || r.host === '') throw new TypeError('a relay needs a host');
    if (r.port !== undefined && (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535)) {
      throw new RangeError(`relay port ${r.port} is not 1..65535`);
    }
    if (r.expires !== undefined && (!Number.isInteger(r.expires) || r.expires < 0)) {
      throw new RangeError(`relay expires ${r.expires} is not a whole number of seconds`);
    }
  }
  return list;
}

function relayUri(settings: RelayOptions, host: string, port: number | null): MsrpUri {
  return MsrpUri.from({
    scheme: settings.insecure === true ? 'msrp' : 'msrps', user: null, host, port, sessionId: null, transport: 'tcp', params: [],
  });
}

/**
 * Orders SRV records as RFC 2782 asks: by priority, lowest first; within one
 * priority by weighted random choice, weight-0 records placed first in the
 * draw. A single record with target "." means the service is not offered.
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  const usable = records.filter((r) => r.name !== '' && r.name !== '.');
  const priorities = [...new Set(usable.map((r) => r.priority))].sort((a, b) => a - b);
  const out: SrvRecord[] = [];
  for (const p of priorities) {
    const left = usable.filter((r) => r.priority === p).sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1));
    while (left.length > 0) {
      const sum = left.reduce((s, r) => s + r.weight, 0);
      const pick = random() * sum;
      let running = 0;
      let i = 0;
      for (; i < left.length - 1; i++) {
        running += left[i].weight;
        if (running >= pick) break;
      }
      out.push(left.splice(i, 1)[0]);
    }
  }
  return out;
}

/**
 * The addresses to try for `settings`, in order (RFC 4976 §8): the host and
 * port when a port is given or the host is an address; else the ordered SRV
 * targets of `_msrps._tcp.<host>`, or, when there are none (or DNS fails),
 * the host on 2855. `onDnsError` hears a lookup that failed for another
 * reason than "no such records".
 */
export async function relayTargets(settings: RelayOptions, onDnsError?: (error: Error) => void): Promise<RelayTarget[]> {
  const authUri = relayUri(settings, settings.host, settings.port ?? null);
  if (settings.port !== undefined) return [{ settings, authUri, connectUri: authUri }];
  const fallback = [{ settings, authUri, connectUri: relayUri(settings, settings.host, DEFAULT_RELAY_PORT) }];
  if (net.isIP(settings.host) !== 0) return fallback;
  let records: SrvRecord[];
  try {
    records = await (settings.resolver ?? dnsPromises).resolveSrv(`_msrps._tcp.${settings.host}`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTFOUND' && code !== 'ENODATA') onDnsError?.(err as Error);
    return fallback;
  }
  const ordered = orderSrv(records);
  if (ordered.length === 0) return records.length > 0 ? [] : fallback;
  return ordered.map((r) => ({ settings, authUri, connectUri: relayUri(settings, r.name.replace(/\.$/, ''), r.port) }));
}
