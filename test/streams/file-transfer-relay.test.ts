/**
 * FileTransferStream through our own MsrpRelay (RFC 4976, src/relay/) over
 * TLS with digest AUTH: both ends reach the relay with ConnectorRelay
 * (connect.relay set), their a=path lists the relay first, and the file
 * arrives byte-exact with its sha-1 checked, the sender settled by the
 * receiver's success REPORTs crossing the relay. (Chat through the relay:
 * test/streams/chat-relay.test.ts.)
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hashFile } from '../../src/streams/file-io.ts';
import { FileTransferStream } from '../../src/streams/file-transfer.ts';
import { parseMsrpMedia } from '../../src/streams/sdp.ts';
import { startRelay } from '../relay/server-helpers.ts';
import { fileOptions, negotiate, next, randomFile, relayOptions, tempDir } from './stream-helpers.ts';

const through = suite('FileTransferStream through our relay (RFC 4976)');

through('a 10 MB file arrives byte-exact with its sha-1 checked', async () => {
  const relay = await startRelay();
  const dir = await tempDir();
  try {
    const source = await randomFile(dir.path, 'through.bin', 10 * 2 ** 20);
    const tx = new FileTransferStream(fileOptions({ file: { path: source }, connect: { relay: await relayOptions(relay, 'alice'), bindTimeout: 10_000 } }));
    const rx = new FileTransferStream(fileOptions({ destination: dir.path, connect: { relay: await relayOptions(relay, 'bob'), bindTimeout: 10_000 } }));
    const done = next<{ path: string; hash: { value: string } }>(rx, 'finished', 30_000);
    const sent = next(tx, 'finished', 30_000);
    const { offer } = await negotiate(tx, rx);
    const path = parseMsrpMedia(offer).path;
    assert.equal([path.length, path[0].host, path[0].port], [2, 'localhost', relay.uri.port], 'relay, then the endpoint (RFC 4976 §11)');
    const got = await done;
    await sent;
    assert.is((await hashFile(got.path)).value, (await hashFile(source)).value);
    await Promise.all([tx.end(), rx.end()]);
  } finally {
    await dir.remove();
    await relay.close();
  }
});

through.run();
