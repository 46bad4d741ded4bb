/**
 * A focused driver for the receiving side of bench:transfer, in one process
 * with no socket (`tsx bench/receive-path.profile.ts [MiB] [piece] [rounds] [borrow]`):
 * one large SEND (one chunk, `*` range-end, as the writer sends a streamed
 * body) is handed to an MsrpConnection as 'data' events of `piece` octets (64
 * KiB as a TCP read gives them, 16 KiB as a TLS record does), through
 * MsrpTransport and MsrpSession to an 'incoming' stream whose data is dropped.
 * Prints the CPU time per GiB of the best round: the JavaScript cost of the
 * receive path alone, without the kernel's. Run it under
 * `node --cpu-prof --import tsx` to see where the time goes.
 */
import { EventEmitter } from 'node:events';
import { MsrpSession } from '../src/session.ts';
import { MsrpConnection, MsrpTransport } from '../src/transport.ts';
import { MsrpUri } from '../src/protocol/uri.ts';

const MIB = Number(process.argv[2] ?? 1024);
const PIECE = Number(process.argv[3] ?? 65536);
const ROUNDS = Number(process.argv[4] ?? 3);
/** `borrow` as the fifth argument: the consumer borrows views (IncomingStream.borrow) instead of taking 'data' events */
const BORROW = process.argv[5] === 'borrow';

/** A ByteStream whose reads are emitted by hand and whose writes are dropped. */
class FakeStream extends EventEmitter {
  writableLength = 0;
  writableHighWaterMark = 16384;
  destroyed = false;
  paused = false;
  write(_data: Buffer, callback?: (error?: Error | null) => void): boolean {
    if (callback) queueMicrotask(() => callback(null));
    return true;
  }
  cork(): void {}
  uncork(): void {}
  end(): void {}
  destroy(): void {
    this.destroyed = true;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
}

async function round(): Promise<{ cpuMsPerGiB: number; bytes: number }> {
  const stream = new FakeStream();
  const local = MsrpUri.parse('msrp://127.0.0.1:2855/local;tcp');
  const peer = MsrpUri.parse('msrp://127.0.0.1:2856/peer;tcp');
  const connection = new MsrpConnection(stream);
  const transport = new MsrpTransport(connection, local, [peer]);
  const session = new MsrpSession(transport, { keepalive: 0 });
  const size = MIB * 2 ** 20;
  let bytes = 0;
  const done = new Promise<void>((resolve) => {
    session.on('incoming', (incoming) => {
      if (BORROW) incoming.borrow((d) => { bytes += d.length; });
      else incoming.on('data', (d: Buffer) => { bytes += d.length; });
      incoming.on('end', resolve);
    });
  });
  const head = Buffer.from(`MSRP a1b2c3d4e5f6a7b8c9d0 SEND\r\nTo-Path: ${local}\r\nFrom-Path: ${peer}\r\nMessage-ID: msg0001\r\n`
    + `Byte-Range: 1-*/${size}\r\nContent-Type: application/octet-stream\r\n\r\n`, 'latin1');
  const cpu = process.cpuUsage();
  stream.emit('data', head);
  for (let at = 0; at < size; at += PIECE) {
    while (stream.paused) await new Promise((r) => setImmediate(r));
    // a fresh Buffer per read, as a socket gives them (not filled: the kernel's copy is not what is measured)
    stream.emit('data', Buffer.allocUnsafe(Math.min(PIECE, size - at)));
  }
  stream.emit('data', Buffer.from('\r\n-------a1b2c3d4e5f6a7b8c9d0$\r\n', 'latin1'));
  await done;
  const used = process.cpuUsage(cpu);
  session.close();
  return { cpuMsPerGiB: (used.user + used.system) / 1000 / (size / 2 ** 30), bytes };
}

let best = Number.POSITIVE_INFINITY;
for (let i = 0; i < ROUNDS; i++) {
  const r = await round();
  if (r.bytes !== MIB * 2 ** 20) throw new Error(`received ${r.bytes} octets`);
  best = Math.min(best, r.cpuMsPerGiB);
}
console.log(JSON.stringify({ MiB: MIB, piece: PIECE, rounds: ROUNDS, cpuMsPerGiB: Number(best.toFixed(1)) }));
