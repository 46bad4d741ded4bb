/**
 * TLS for msrps (RFC 4975 §5.4, §14.4): peer verification is on by default
 * (the certificate must chain to a trusted CA and name the URI's host); a
 * peer-to-peer session may pin the peer's certificate by its SDP a=fingerprint
 * instead (RFC 8122 §5), in which case the chain is not checked but the
 * certificate must match one of the fingerprints. SNI names the host when it
 * is a DNS name.
 */
import { createHash, X509Certificate } from 'node:crypto';
import net from 'node:net';
import type tls from 'node:tls';
import { MsrpConnectError } from '../errors.ts';

/** TLS settings of a connector, an acceptor or a server. */
export interface MsrpTlsOptions {
  /** this endpoint's certificate chain (PEM); required to accept msrps connections */
  cert?: string | Buffer;
  /** its private key (PEM) */
  key?: string | Buffer;
  /** CAs to trust instead of Node's default list (PEM) */
  ca?: string | Buffer | Array<string | Buffer>;
  /**
   * The peer's certificate fingerprint(s) from SDP a=fingerprint, such as
   * `SHA-256 4A:AD:...` (RFC 8122 §5). When set, the peer's certificate must
   * match one of them and the CA chain and host name are not checked (RFC 4975
   * §14.4); an accepting side then asks the connecting side for its certificate.
   */
  fingerprint?: string | readonly string[];
  /**
   * Check the peer's chain and host name when no fingerprint is given (default
   * true). Turning it off accepts any certificate: for tests and trusted links only.
   */
  verify?: boolean;
  /** the SNI server name (default: the URI's host when it is a DNS name) */
  servername?: string;
  /** more options for node:tls, passed as they are (SNICallback, ciphers, ...) */
  extra?: tls.TlsOptions;
}

/** RFC 8122 §5 hash functions, as Node names them. */
const HASHES: Record<string, string> = {
  'sha-1': 'sha1', 'sha-224': 'sha224', 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512',
};

/** A parsed a=fingerprint value. */
export interface Fingerprint {
  /** RFC 8122 hash-func, lower case (`sha-256`) */
  hash: string;
  /** the digest, upper-case hex pairs joined by `:` */
  value: string;
}

/**
 * Parses `hash-func SP fingerprint` (RFC 8122 §5). Throws MsrpConnectError
 * (MSRP_ERR_TLS_FINGERPRINT) for an unknown or forbidden hash (MD2, MD5) or a
 * malformed digest.
 */
export function parseFingerprint(text: string): Fingerprint {
  const m = /^\s*(\S+)\s+([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*)\s*$/.exec(text);
  if (m === null) throw new MsrpConnectError('MSRP_ERR_TLS_FINGERPRINT', `${JSON.stringify(text)} is not hash-func SP fingerprint (RFC 8122 §5)`);
  const hash = m[1].toLowerCase();
  if (HASHES[hash] === undefined) {
    throw new MsrpConnectError('MSRP_ERR_TLS_FINGERPRINT', `fingerprint hash ${m[1]} is not supported (RFC 8122 §5: SHA-1 and the SHA-2 family)`);
  }
  return { hash, value: m[2].toUpperCase() };
}

/** The a=fingerprint of a certificate (DER or PEM): `SHA-256 AB:CD:...` by default. */
export function certificateFingerprint(cert: Buffer | string, hash = 'sha-256'): string {
  const alg = HASHES[hash.toLowerCase()];
  if (alg === undefined) throw new RangeError(`unknown fingerprint hash ${hash}`);
  const der = typeof cert === 'string' || !isDer(cert) ? new X509Certificate(cert).raw : cert;
  const hex = createHash(alg).update(der).digest('hex').toUpperCase();
  return `${hash.toUpperCase()} ${hex.replace(/(..)(?!$)/g, '$1:')}`;
}

function isDer(b: Buffer): boolean {
  return b.length > 0 && b[0] === 0x30; // an ASN.1 SEQUENCE; PEM starts with "-----"
}

/** Whether the certificate `der` matches any of the fingerprints (RFC 8122 §5: any one match suffices). */
export function fingerprintMatches(der: Buffer, expected: string | readonly string[]): boolean {
  const list = typeof expected === 'string' ? [expected] : expected;
  for (const text of list) {
    const f = parseFingerprint(text);
    if (certificateFingerprint(der, f.hash) === `${f.hash.toUpperCase()} ${f.value}`) return true;
  }
  return false;
}

/** Options for tls.connect to `host:port`. */
export function clientTlsOptions(host: string, port: number, options: MsrpTlsOptions = {}): tls.ConnectionOptions {
  const pinned = options.fingerprint !== undefined;
  const o: tls.ConnectionOptions = {
    ...(options.extra as tls.ConnectionOptions | undefined), host, port,
    // with a pin the chain is not checked here but by the fingerprint after the handshake
    rejectUnauthorized: !pinned && options.verify !== false,
  };
  const servername = options.servername ?? (net.isIP(host) === 0 ? host : undefined);
  if (servername !== undefined) o.servername = servername;
  if (options.cert !== undefined) o.cert = options.cert;
  if (options.key !== undefined) o.key = options.key;
  if (options.ca !== undefined) o.ca = options.ca;
  return o;
}

/** Options for tls.createServer: a client certificate is requested when fingerprints are to be checked. */
export function serverTlsOptions(options: MsrpTlsOptions, requestClientCertificate: boolean): tls.TlsOptions {
  if (options.cert === undefined || options.key === undefined) {
    throw new MsrpConnectError('MSRP_ERR_CONNECT', 'an msrps listener needs a certificate and a key (tls.cert, tls.key)');
  }
  const o: tls.TlsOptions = { ...options.extra, cert: options.cert, key: options.key };
  if (options.ca !== undefined) o.ca = options.ca;
  if (requestClientCertificate) {
    // RFC 8122: a self-signed client certificate is checked by fingerprint, not by a CA
    o.requestCert = true;
    o.rejectUnauthorized = false;
  }
  return o;
}

/** The peer certificate of a TLS socket in DER, or null. */
export function peerCertificate(socket: tls.TLSSocket): Buffer | null {
  const cert = socket.getPeerCertificate(false);
  return cert !== null && typeof cert === 'object' && Buffer.isBuffer(cert.raw) && cert.raw.length > 0 ? cert.raw : null;
}

/**
 * Checks a TLS peer after the handshake against pinned fingerprints; null when
 * it passes or nothing is pinned, else the error to fail with.
 */
export function checkPinnedPeer(socket: tls.TLSSocket, fingerprint: string | readonly string[] | undefined): MsrpConnectError | null {
  if (fingerprint === undefined) return null;
  const der = peerCertificate(socket);
  if (der === null) return new MsrpConnectError('MSRP_ERR_TLS_FINGERPRINT', 'the peer sent no certificate to check against a=fingerprint');
  if (!fingerprintMatches(der, fingerprint)) {
    return new MsrpConnectError('MSRP_ERR_TLS_FINGERPRINT', `the peer certificate ${certificateFingerprint(der)} matches no a=fingerprint`);
  }
  return null;
}
