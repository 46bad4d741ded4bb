/**
 * TLS material made at test time with `selfsigned` (nothing secret is
 * committed): a CA, a server certificate it signs for localhost, 127.0.0.1
 * and ::1, and self-signed certificates for fingerprint pinning (RFC 8122).
 * EC P-256 keys, generated once per process.
 */
import { generate } from 'selfsigned';

/** A certificate and its key, PEM. */
export interface Pem {
  cert: string;
  key: string;
}

/** What the TLS tests use. */
export interface TestCertificates {
  /** a CA trusted through the `ca` option */
  ca: Pem;
  /** signed by `ca`, for localhost, 127.0.0.1 and ::1 */
  server: Pem;
  /** signed by `ca` too, with another name (localhost.invalid) only */
  wrongName: Pem;
  /** self-signed, for pinning by fingerprint */
  alice: Pem;
  /** self-signed, for pinning by fingerprint */
  bob: Pem;
}

const LOOPBACK = [
  { type: 2 as const, value: 'localhost' },
  { type: 7 as const, ip: '127.0.0.1' },
  { type: 7 as const, ip: '::1' },
];

async function leaf(cn: string, names: typeof LOOPBACK, ca?: Pem): Promise<Pem> {
  const made = await generate([{ name: 'commonName', value: cn }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames: names },
    ],
    ...(ca !== undefined ? { ca: { key: ca.key, cert: ca.cert } } : {}),
  });
  return { cert: made.cert, key: made.private };
}

let made: Promise<TestCertificates> | null = null;

/** The test certificates, made on first use. */
export function testCertificates(): Promise<TestCertificates> {
  made ??= (async () => {
    const caMade = await generate([{ name: 'commonName', value: 'msrp test CA' }], {
      keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    const ca = { cert: caMade.cert, key: caMade.private };
    const [server, wrongName, alice, bob] = await Promise.all([
      leaf('localhost', LOOPBACK, ca),
      leaf('localhost.invalid', [{ type: 2, value: 'localhost.invalid' }] as unknown as typeof LOOPBACK, ca),
      leaf('alice', LOOPBACK),
      leaf('bob', LOOPBACK),
    ]);
    return { ca, server, wrongName, alice, bob };
  })();
  return made;
}
