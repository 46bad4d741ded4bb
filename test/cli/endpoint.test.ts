/** Endpoint flags to stream options (src/cli/endpoint.ts). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { endpointFrom, parseRelayAddress, passwordFor } from '../../src/cli/endpoint.ts';
import { CliError } from '../../src/cli/exit.ts';
import { cliFailure, tempDir } from './helpers.ts';

const address = suite('cli/endpoint --relay');

address('msrps and msrp URIs, with or without port and ;tcp, and bare hosts', () => {
  assert.equal(parseRelayAddress('msrps://relay.example.com:2855;tcp'), { host: 'relay.example.com', port: 2855, insecure: false });
  assert.equal(parseRelayAddress('msrps://relay.example.com'), { host: 'relay.example.com', port: undefined, insecure: false });
  assert.equal(parseRelayAddress('MSRP://localhost:9000'), { host: 'localhost', port: 9000, insecure: true });
  assert.equal(parseRelayAddress('relay.example.com:7000'), { host: 'relay.example.com', port: 7000, insecure: false });
  assert.equal(parseRelayAddress('msrps://[::1]:2855'), { host: '::1', port: 2855, insecure: false });
  for (const bad of ['http://x', 'msrps://', 'msrps://a b', 'msrps://host:99999', 'msrps://u@host/session']) {
    assert.throws(() => parseRelayAddress(bad), (e: Error) => e instanceof CliError && e.exitCode === 2, bad);
  }
});

const options = suite('cli/endpoint stream options');

options('direct: msrps with a generated certificate, or plain TCP; the wait in ms', async () => {
  const tls = await endpointFrom({ host: '127.0.0.1', timeout: '5' });
  assert.is(tls.relay, null);
  assert.is(tls.stream.host, '127.0.0.1');
  assert.match(String(tls.stream.connect?.tls?.cert), /BEGIN CERTIFICATE/);
  assert.is(tls.stream.connect?.bindTimeout, 5000);
  const tcp = await endpointFrom({ 'insecure-tcp': true });
  assert.is(tcp.stream.connect?.tls, undefined);
  assert.match(tcp.via, /plain TCP/);
  assert.is(tcp.stream.connect?.bindTimeout, 600_000, 'ten minutes by default: a person copies the answer');
});

options('relay: settings from the flags, password from MSRP_PASSWORD', async () => {
  const fp = `SHA-256 ${Array(32).fill('AB').join(':')}`;
  const e = await endpointFrom({ relay: 'msrps://localhost:2855', user: 'alice', 'relay-fingerprint': fp, 'max-chunk': '10240' },
    { MSRP_PASSWORD: 'pw' });
  assert.equal(e.relay, { host: 'localhost', port: 2855, insecure: false, tls: { fingerprint: fp }, maxChunkSize: 10240, username: 'alice', password: 'pw' });
  assert.is(e.stream.connect?.relay, e.relay);
  assert.match(e.via, /through the relay msrps:\/\/localhost:2855 as alice/);
  const dir = await tempDir();
  try {
    await writeFile(join(dir.path, 'ca.pem'), 'PEM');
    const ca = await endpointFrom({ relay: 'localhost', 'relay-ca': join(dir.path, 'ca.pem') });
    assert.equal(ca.relay?.tls, { ca: Buffer.from('PEM') });
    assert.is(ca.relay?.username, undefined, 'no --user: AUTH without credentials');
    assert.is((await cliFailure(endpointFrom({ relay: 'localhost', 'relay-ca': join(dir.path, 'missing.pem') }))).exitCode, 4);
  } finally {
    await dir.remove();
  }
});

options('flags that do not fit together are bad usage', async () => {
  for (const [values, pattern] of [
    [{ user: 'alice' }, /--user needs --relay/],
    [{ 'max-chunk': '10240' }, /--max-chunk needs --relay/],
    [{ relay: 'localhost', 'insecure-tcp': true }, /--insecure-tcp is for direct sessions/],
    [{ relay: 'localhost', 'relay-fingerprint': 'MD5 AB:CD' }, /--relay-fingerprint: fingerprint hash MD5 is not supported/],
    [{ relay: 'localhost', 'relay-fingerprint': 'x', 'relay-ca': 'y' }, /not both/],
    [{ relay: 'localhost', 'max-chunk': '10' }, /--max-chunk "10" is not a whole number from 1024/],
    [{ relay: 'localhost', user: 'a b' }, /--user "a b" is not a user name/],
    [{ timeout: '0' }, /--timeout "0"/],
  ] as const) {
    const e = await cliFailure(endpointFrom({ ...values }, { MSRP_PASSWORD: 'pw' }));
    assert.is(e.exitCode, 2);
    assert.match(e.message, pattern);
  }
});

options('no password without MSRP_PASSWORD and without a terminal', async () => {
  assert.is(await passwordFor('alice', { MSRP_PASSWORD: 'pw' }), 'pw');
  if (process.stdin.isTTY === true) return; // a terminal would ask: nothing to check here
  const e = await cliFailure(passwordFor('alice', {}));
  assert.match(e.message, 'no password for alice: set MSRP_PASSWORD');
});

address.run();
options.run();
