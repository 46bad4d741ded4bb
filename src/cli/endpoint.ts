/**
 * How `msrp send`, `recv` and `chat` reach their peer, from their flags:
 *
 * - through a relay (`--relay URI --user U`, RFC 4976): AUTH over TLS with
 *   digest; the password comes from MSRP_PASSWORD or is asked on the
 *   terminal, never from a flag. The relay's certificate is checked against
 *   the system CAs, a CA file (`--relay-ca`) or pinned by its fingerprint
 *   (`--relay-fingerprint`, what `msrp relay` prints). `--max-chunk` bounds
 *   the chunks sent through it (Kamailio refuses frames above about 11 kB).
 * - directly: msrps with a certificate generated for this run, which the
 *   peer pins by the SDP a=fingerprint (RFC 8122 §5, RFC 4975 §14.4); plain
 *   msrp only with `--insecure-tcp`. `--host` is the address put in the SDP.
 */
import { readFile } from 'node:fs/promises';
import {
  type MsrpSession, type RelayOptions, type StreamOptions, trafficLogTo, parseFingerprint,
} from '../index.ts';
import { COMMON_OPTIONS, parseInteger, stringFlag, type OptionTable, type Values } from './args.ts';
import { generateCertificate } from './certificate.ts';
import { CliError, EXIT, UsageError } from './exit.ts';
import { readHidden } from './input.ts';

/** Flags of the endpoint subcommands. */
export const ENDPOINT_OPTIONS = {
  ...COMMON_OPTIONS,
  relay: { type: 'string' },
  user: { type: 'string' },
  'relay-fingerprint': { type: 'string' },
  'relay-ca': { type: 'string' },
  'max-chunk': { type: 'string' },
  host: { type: 'string' },
  'insecure-tcp': { type: 'boolean' },
  timeout: { type: 'string' },
} as const satisfies OptionTable;

/** Default seconds to wait for the peer to connect once the SDP was exchanged (a person copies a line in between). */
export const DEFAULT_WAIT = 600;

/** Where a relay is, from `--relay`. */
export interface RelayAddress {
  host: string;
  port: number | undefined;
  /** msrp: (plain TCP) rather than msrps: */
  insecure: boolean;
}

/**
 * Parses `msrps://host[:port][;tcp]`, `msrp://...` (plain TCP, RFC 4976 §9.2
 * wants TLS: for trusted links only) or `host[:port]` (msrps). Without a port
 * the SRV records and then 2855 are tried (RFC 4976 §8).
 */
export function parseRelayAddress(text: string): RelayAddress {
  const m = /^(?:(msrps?):\/\/)?(\[[0-9A-Fa-f:.]+\]|[^\s:/;[\]@]+)(?::(\d+))?(?:;tcp)?\/?$/i.exec(text.trim());
  if (m === null) throw new UsageError(`--relay ${JSON.stringify(text)} is not msrps://host[:port] (or msrp://host[:port] for plain TCP)`);
  const port = m[3] === undefined ? undefined : parseInteger(m[3], '--relay port', 1, 65535);
  return { host: m[2].replace(/^\[|\]$/g, ''), port, insecure: m[1]?.toLowerCase() === 'msrp' };
}

/** The password of `user`: MSRP_PASSWORD, else asked on the terminal; UsageError when neither is possible. */
export async function passwordFor(user: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env.MSRP_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (process.stdin.isTTY !== true) {
    throw new UsageError(`no password for ${user}: set MSRP_PASSWORD, or run msrp on a terminal to be asked`);
  }
  return readHidden(`password for ${user}: `);
}

/** What an endpoint subcommand connects with. */
export interface Endpoint {
  /** the stream options (host, connect with relay or TLS, timeouts, traffic log) */
  stream: StreamOptions;
  /** the relay settings, null for a direct session */
  relay: RelayOptions | null;
  /** how it connects, in words, for the user */
  via: string;
}

/** Builds the Endpoint from parsed ENDPOINT_OPTIONS values; asks for the password when it must. */
export async function endpointFrom(values: Values, env: NodeJS.ProcessEnv = process.env): Promise<Endpoint> {
  const wait = values.timeout === undefined ? DEFAULT_WAIT : parseInteger(stringFlag(values, 'timeout')!, '--timeout', 1, 86_400);
  const connect: NonNullable<StreamOptions['connect']> = { bindTimeout: wait * 1000, pool: null };
  if (values.trace === true) connect.trafficLog = trafficLogTo((text) => process.stderr.write(text));
  const relayText = stringFlag(values, 'relay');
  const relayOnly = ['user', 'relay-fingerprint', 'relay-ca', 'max-chunk'].find((f) => values[f] !== undefined);
  if (relayText === undefined) {
    if (relayOnly !== undefined) throw new UsageError(`--${relayOnly} needs --relay`);
    const host = stringFlag(values, 'host');
    if (values['insecure-tcp'] !== true) {
      const cert = await generateCertificate([host ?? 'localhost']);
      connect.tls = { cert: cert.cert, key: cert.key };
    }
    const via = values['insecure-tcp'] === true ? 'directly over plain TCP (msrp:)' : 'directly over TLS (msrps:, certificates pinned by a=fingerprint)';
    return { stream: { host, connect, endTimeout: 5000 }, relay: null, via };
  }
  if (values['insecure-tcp'] === true) throw new UsageError('--insecure-tcp is for direct sessions: a relay is plain TCP when --relay is msrp://');
  const address = parseRelayAddress(relayText);
  const relay: RelayOptions = { host: address.host, port: address.port, insecure: address.insecure };
  const fingerprint = stringFlag(values, 'relay-fingerprint');
  const caFile = stringFlag(values, 'relay-ca');
  if (fingerprint !== undefined && caFile !== undefined) throw new UsageError('give --relay-fingerprint or --relay-ca, not both');
  if (fingerprint !== undefined) {
    try {
      parseFingerprint(fingerprint);
    } catch (err) {
      throw new UsageError(`--relay-fingerprint: ${(err as Error).message}`);
    }
    relay.tls = { fingerprint };
  }
  if (caFile !== undefined) {
    try {
      relay.tls = { ca: await readFile(caFile) };
    } catch (err) {
      throw new CliError(EXIT.BAD_PATH, `cannot read the CA file ${caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const chunk = stringFlag(values, 'max-chunk');
  if (chunk !== undefined) relay.maxChunkSize = parseInteger(chunk, '--max-chunk', 1024, 1 << 30);
  const user = stringFlag(values, 'user');
  if (user !== undefined) {
    if (user === '' || /[\s:]/.test(user)) throw new UsageError(`--user ${JSON.stringify(user)} is not a user name (no spaces or ":")`);
    relay.username = user;
    relay.password = await passwordFor(user, env);
  }
  connect.relay = relay;
  const via = `through the relay ${address.insecure ? 'msrp' : 'msrps'}://${relayText.replace(/^msrps?:\/\//, '')}${user !== undefined ? ` as ${user}` : ''}`;
  return { stream: { connect, endTimeout: 5000 }, relay, via };
}

/**
 * Ends a stream at once (Ctrl-C): its session closes without waiting for
 * pending messages, as `end()` alone would for up to its endTimeout.
 */
export function abort(stream: { readonly session: MsrpSession | null; end(): Promise<void> }): Promise<void> {
  stream.session?.close();
  return stream.end();
}
