/**
 * Certificates the command makes at run time, with `selfsigned` (nothing is
 * written to disk): the relay's own when no --tls-cert is given, for its host
 * name (RFC 4976 §4.2 puts a name in Use-Path, and clients check the
 * certificate against it, RFC 4976 §9.2), and an endpoint's for direct msrps
 * sessions, which the peer pins by the SDP a=fingerprint (RFC 8122 §5,
 * RFC 4975 §14.4) instead of checking a CA.
 */
import { isIP } from 'node:net';
import { generate } from 'selfsigned';
import { certificateFingerprint } from '../index.ts';

/** A PEM certificate, its key and its SHA-256 fingerprint (`SHA-256 AB:CD:...`). */
export interface GeneratedCertificate {
  cert: string;
  key: string;
  fingerprint: string;
}

/** Days a generated certificate is valid: it lives as long as one run, so a short time is plenty. */
const VALID_DAYS = 30;

/** A self-signed EC P-256 certificate naming `names` (DNS names or IP addresses) in its subjectAltName. */
export async function generateCertificate(names: readonly string[]): Promise<GeneratedCertificate> {
  if (names.length === 0) throw new RangeError('a certificate needs at least one name');
  const altNames = names.map((n) => (isIP(n) !== 0 ? { type: 7 as const, ip: n } : { type: 2 as const, value: n }));
  const notAfter = new Date(Date.now() + VALID_DAYS * 86_400_000);
  const made = await generate([{ name: 'commonName', value: names[0] }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: made.cert, key: made.private, fingerprint: certificateFingerprint(made.cert) };
}
