/** Certificates made at run time (src/cli/certificate.ts). */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generateCertificate } from '../../src/cli/certificate.ts';
import { certificateFingerprint } from '../../src/index.ts';

const generate = suite('cli/certificate');

generate('self-signed EC P-256 for the names given, with its SHA-256 fingerprint and a short life', async () => {
  const made = await generateCertificate(['localhost', '127.0.0.1']);
  const x509 = new X509Certificate(made.cert);
  assert.match(String(x509.subjectAltName), /DNS:localhost/);
  assert.match(String(x509.subjectAltName), /IP Address:127\.0\.0\.1/);
  assert.ok(x509.checkHost('localhost'));
  assert.ok(x509.verify(x509.publicKey), 'self-signed');
  assert.is(createPrivateKey(made.key).asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.ok(x509.checkPrivateKey(createPrivateKey(made.key)));
  assert.is(made.fingerprint, certificateFingerprint(made.cert));
  assert.match(made.fingerprint, /^SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const days = (Date.parse(x509.validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 1 && days <= 31, `valid for ${days} days`);
  assert.is.not((await generateCertificate(['localhost'])).fingerprint, made.fingerprint, 'a new key every time');
  const refused = await generateCertificate([]).then(() => null, (e: Error) => e);
  assert.match(String(refused?.message), /at least one name/);
});

generate.run();
