/**
 * DesktopSharingStream over real sockets on 127.0.0.1: a fake RFB server
 * (RFC 6143) behind the sharing side, a fake viewer in front of the viewing
 * side; the RFB handshake and a few MB each way arrive byte-exact; either
 * end closing ends both streams cleanly; m=application with a=rfbsetup, and
 * m=message accepted too.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpStreamError } from '../../src/errors.ts';
import { DesktopSharingStream, type DesktopSharingStreamOptions } from '../../src/streams/desktop-sharing.ts';
import { parseMsrpMedia } from '../../src/streams/sdp.ts';
import { negotiate, next, rejects, until } from './stream-helpers.ts';

const VERSION = Buffer.from('RFB 003.008\n');
const SERVER_INIT = Buffer.concat([
  Buffer.from([0x04, 0x00, 0x03, 0x00]), // 1024 x 768
  Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]), // pixel format
  Buffer.from([0, 0, 0, 4]), Buffer.from('test'),
]);

/** Reads exactly `n` octets from a socket that buffers into `state`. */
function reader(socket: net.Socket): { read(n: number): Promise<Buffer>; all: Buffer[] } {
  const all: Buffer[] = [];
  let buffered = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  socket.on('data', (d: Buffer) => {
    all.push(d);
    buffered = Buffer.concat([buffered, d]);
    wake?.();
  });
  return {
    all,
    async read(n: number) {
      while (buffered.length < n) await new Promise<void>((r) => { wake = r; });
      const out = buffered.subarray(0, n);
      buffered = buffered.subarray(n);
      return out;
    },
  };
}

/** A fake VNC server: the RFC 6143 §7.1-7.3 handshake with security None, then `payload`; records what it gets after. */
async function fakeVncServer(payload: Buffer): Promise<{ port: number; received: () => Buffer; close(): void; connected: Promise<net.Socket> }> {
  let socketOf!: (s: net.Socket) => void;
  const connected = new Promise<net.Socket>((r) => { socketOf = r; });
  let got: Buffer[] = [];
  const server = net.createServer(async (socket) => {
    socketOf(socket);
    socket.on('error', () => {});
    const r = reader(socket);
    socket.write(VERSION);
    assert.ok((await r.read(12)).equals(VERSION), 'the viewer answered the version');
    socket.write(Buffer.from([1, 1])); // one security type: None
    assert.is((await r.read(1))[0], 1);
    socket.write(Buffer.from([0, 0, 0, 0])); // SecurityResult OK
    assert.is((await r.read(1))[0], 1, 'ClientInit shared');
    socket.write(SERVER_INIT);
    got = r.all;
    r.all.length = 0;
    socket.write(payload);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, received: () => Buffer.concat(got), close: () => server.close(), connected };
}

/** A fake viewer: the handshake, then `payload`; resolves what the server sent after ServerInit once `expect` octets came. */
async function fakeViewer(port: number, payload: Buffer, expect: number): Promise<{ socket: net.Socket; afterInit: Promise<Buffer> }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const r = reader(socket);
  const afterInit = (async () => {
    assert.ok((await r.read(12)).equals(VERSION));
    socket.write(VERSION);
    assert.equal([...(await r.read(2))], [1, 1]);
    socket.write(Buffer.from([1]));
    assert.equal([...(await r.read(4))], [0, 0, 0, 0]);
    socket.write(Buffer.from([1]));
    assert.ok((await r.read(SERVER_INIT.length)).equals(SERVER_INIT));
    socket.write(payload);
    return r.read(expect);
  })();
  return { socket, afterInit };
}

function options(more: DesktopSharingStreamOptions): DesktopSharingStreamOptions {
  return { host: '127.0.0.1', endTimeout: 2000, connect: { pool: null, bindTimeout: 5000 }, session: { keepalive: 0 }, ...more };
}

const sharing = suite('DesktopSharingStream: RFB over MSRP');

sharing('handshake and a few MB both ways, byte-exact; the viewer closing ends both streams', async () => {
  const toViewer = randomBytes(3 * 2 ** 20 + 17);
  const toServer = randomBytes(2 * 2 ** 20 + 5);
  const vnc = await fakeVncServer(toViewer);
  try {
    const sharer = new DesktopSharingStream(options({ role: 'server', vncPort: vnc.port }));
    const viewer = new DesktopSharingStream(options({}));
    const listening = next<{ port: number }>(viewer, 'listening');
    const { offer, answer } = await negotiate(sharer, viewer);
    const o = parseMsrpMedia(offer);
    assert.equal([o.media, o.rfbSetup, o.acceptTypes], ['application', 'passive', ['application/x-rfb']]);
    assert.equal([parseMsrpMedia(answer).media, parseMsrpMedia(answer).rfbSetup], ['application', 'active']);
    assert.is(viewer.role, 'viewer');
    const { port } = await listening;
    const client = await fakeViewer(port, toServer, toViewer.length);
    const got = await client.afterInit;
    assert.ok(got.equals(toViewer), 'server to viewer, byte-exact');
    await until(() => vnc.received().length >= toServer.length, 10_000, 'the server got the viewer\'s octets');
    assert.ok(vnc.received().equals(toServer), 'viewer to server, byte-exact');
    const ended = [next(sharer, 'didEnd'), next(viewer, 'didEnd')];
    const serverSide = await vnc.connected;
    const serverClosed = once(serverSide, 'close');
    client.socket.end();
    await Promise.all(ended);
    await serverClosed;
    assert.equal([sharer.state, viewer.state], ['ended', 'ended']);
  } finally {
    vnc.close();
  }
});

sharing('the VNC server closing ends both streams and closes the local viewer', async () => {
  const vnc = await fakeVncServer(Buffer.from('frame'));
  try {
    const viewer = new DesktopSharingStream(options({ role: 'viewer', media: 'message' }));
    const sharer = new DesktopSharingStream(options({ vncPort: vnc.port }));
    const listening = next<{ port: number }>(viewer, 'listening');
    const { offer } = await negotiate(viewer, sharer);
    assert.is(parseMsrpMedia(offer).media, 'message', 'm=message (RFC 4975 §8.1) is written on request and accepted');
    assert.is(sharer.role, 'server');
    const client = await fakeViewer((await listening).port, Buffer.alloc(0), 5);
    assert.is((await client.afterInit).toString(), 'frame');
    const viewerClosed = once(client.socket, 'close');
    const ended = [next(sharer, 'didEnd'), next(viewer, 'didEnd')];
    (await vnc.connected).end();
    await Promise.all(ended);
    await viewerClosed;
  } finally {
    vnc.close();
  }
});

sharing('an offerer needs a role; both sides wanting one role is refused; an unreachable VNC server fails the stream', async () => {
  await rejects(new DesktopSharingStream(options({})).initialize(), MsrpStreamError, 'MSRP_ERR_STREAM_ARGUMENT');
  const a = new DesktopSharingStream(options({ role: 'server' }));
  const offer = await a.initialize();
  await rejects(new DesktopSharingStream(options({ role: 'server' })).initialize(offer), MsrpStreamError, 'MSRP_ERR_STREAM_ARGUMENT');
  await a.end();
  const closed = net.createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const deadPort = (closed.address() as net.AddressInfo).port;
  closed.close();
  const sharer = new DesktopSharingStream(options({ role: 'server', vncPort: deadPort }));
  const viewer = new DesktopSharingStream(options({}));
  const failed = next<{ reason: string }>(sharer, 'didFail');
  const viewerEnded = next(viewer, 'didEnd');
  await negotiate(sharer, viewer);
  assert.match((await failed).reason, /VNC server/);
  await viewerEnded;
});

sharing.run();
