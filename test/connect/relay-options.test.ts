/**
 * Finding relays (RFC 4976 §8) and failing over between them: SRV records of
 * `_msrps._tcp` served by a tiny DNS server on 127.0.0.1 to a real
 * dns.Resolver, RFC 2782 ordering, the 2855 fallback, and a failover list
 * tried in order.
 */
import dgram from 'node:dgram';
import { promises as dns, type SrvRecord } from 'node:dns';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectorRelay, orderSrv, relayTargets, type RelayOptions } from '../../src/connect/index.ts';
import { closedPort, FakeRelay } from './fake-relay.ts';
import { rejectsWith } from './helpers.ts';

/** DNS name in wire form (RFC 1035 §3.1). */
function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
}

/**
 * A DNS server answering SRV questions from `zone` (name -> records) and
 * NXDOMAIN to everything else (RFC 1035 §4.1; SRV RDATA per RFC 2782).
 */
async function dnsServer(zone: Record<string, SrvRecord[]>): Promise<{ port: number; questions: string[]; close(): void }> {
  const socket = dgram.createSocket('udp4');
  const questions: string[] = [];
  socket.on('message', (query, peer) => {
    let at = 12;
    const labels: string[] = [];
    while (query[at] !== 0) {
      labels.push(query.toString('ascii', at + 1, at + 1 + query[at]));
      at += query[at] + 1;
    }
    const questionEnd = at + 5;
    const name = labels.join('.').toLowerCase();
    questions.push(name);
    const records = query.readUInt16BE(at + 1) === 33 ? zone[name] : undefined;
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    header.writeUInt16BE(records === undefined ? 0x8183 : 0x8180, 2); // response, RD, RA; rcode 3 NXDOMAIN or 0
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(records?.length ?? 0, 6);
    const answers = (records ?? []).map((r) => {
      const target = encodeName(r.name);
      const rr = Buffer.alloc(12 + 6);
      rr.writeUInt16BE(0xc00c, 0); // the question's name
      rr.writeUInt16BE(33, 2); // SRV
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(6 + target.length, 10);
      rr.writeUInt16BE(r.priority, 12);
      rr.writeUInt16BE(r.weight, 14);
      rr.writeUInt16BE(r.port, 16);
      return Buffer.concat([rr, target]);
    });
    socket.send(Buffer.concat([header, query.subarray(12, questionEnd), ...answers]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, questions, close: () => socket.close() };
}

const srv = suite('connect/relay-options: SRV _msrps._tcp (RFC 4976 §8, RFC 2782)');

srv('orderSrv: priority first, then weighted choice with weight 0 first in the draw; target "." dropped', () => {
  const r = (name: string, priority: number, weight: number): SrvRecord => ({ name, priority, weight, port: 9000 });
  const records = [r('c', 20, 5), r('a', 10, 1), r('b', 10, 3), r('z', 10, 0), r('.', 5, 0)];
  // random 0: the first record whose running sum reaches 0 (the weight-0 one), then the first again
  assert.equal(orderSrv(records, () => 0).map((x) => x.name), ['z', 'a', 'b', 'c']);
  // random just below 1: the last record of the running sum each time
  assert.equal(orderSrv(records, () => 0.999).map((x) => x.name), ['b', 'a', 'z', 'c']);
  assert.equal(orderSrv([r('.', 0, 0)]), []);
});

srv('a host without port is looked up with a real dns.Resolver: SRV targets in order, else the host on 2855', async () => {
  const server = await dnsServer({
    '_msrps._tcp.relay.test': [
      { name: 'backup.relay.test', port: 9001, priority: 20, weight: 1 },
      { name: 'main.relay.test', port: 9000, priority: 10, weight: 1 },
    ],
  });
  const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${server.port}`]);
  try {
    const targets = await relayTargets({ host: 'relay.test', resolver });
    assert.equal(targets.map((t) => String(t.connectUri)), ['msrps://main.relay.test:9000;tcp', 'msrps://backup.relay.test:9001;tcp']);
    assert.is(String(targets[0].authUri), 'msrps://relay.test;tcp', 'the AUTH names the relay as configured, without a port');
    assert.equal(server.questions, ['_msrps._tcp.relay.test']);
    const none = await relayTargets({ host: 'other.test', resolver });
    assert.equal(none.map((t) => String(t.connectUri)), ['msrps://other.test:2855;tcp']);
    const given = await relayTargets({ host: 'relay.test', port: 7000, resolver });
    assert.equal(given.map((t) => String(t.connectUri)), ['msrps://relay.test:7000;tcp']);
    assert.is(server.questions.length, 2, 'no lookup when the port is given');
    const address = await relayTargets({ host: '127.0.0.1', insecure: true, resolver });
    assert.equal(address.map((t) => String(t.connectUri)), ['msrp://127.0.0.1:2855;tcp']);
  } finally {
    server.close();
  }
});

srv('end to end: the first SRV target is down, the second one gets the AUTH', async () => {
  const relay = await FakeRelay.start();
  const down = await closedPort();
  const server = await dnsServer({
    '_msrps._tcp.relay.test': [
      { name: '127.0.0.1', port: down, priority: 10, weight: 0 },
      { name: '127.0.0.1', port: relay.port, priority: 20, weight: 0 },
    ],
  });
  const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${server.port}`]);
  try {
    const connector = new ConnectorRelay({ relay: { host: 'relay.test', insecure: true, resolver }, connectTimeout: 2000 });
    await connector.prepare();
    assert.is(relay.auths.length, 1);
    assert.is(relay.auths[0].chunk.getHeader('To-Path'), 'msrp://relay.test;tcp');
    connector.cancel();
  } finally {
    server.close();
    await relay.close();
  }
});

const failover = suite('connect/relay-options: failover list, tried in order');

failover('an unreachable first relay: the second one is used; none reachable is MSRP_ERR_RELAY_UNREACHABLE naming each', async () => {
  const relay = await FakeRelay.start();
  const down = await closedPort();
  const first: RelayOptions = { host: '127.0.0.1', port: down, insecure: true };
  try {
    const connector = new ConnectorRelay({ relay: [first, { host: '127.0.0.1', port: relay.port, insecure: true }] });
    const path = await connector.prepare();
    assert.is(relay.auths.length, 1);
    assert.is(path[0].port, relay.port);
    connector.cancel();
    const e = await rejectsWith(new ConnectorRelay({ relay: [first, { ...first }] }).prepare(), 'MSRP_ERR_RELAY_UNREACHABLE');
    assert.is((e.cause as AggregateError).errors.length, 2);
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${down}.*127\\.0\\.0\\.1:${down}`));
  } finally {
    await relay.close();
  }
});

failover('a relay that refuses us (403, wrong password) is final: the next one is not tried', async () => {
  const refusing = await FakeRelay.start({ onAuth: (request, r) => r.respond(request, 403) });
  const other = await FakeRelay.start();
  try {
    const list = [refusing, other].map((r) => ({ host: '127.0.0.1', port: r.port, insecure: true }));
    await rejectsWith(new ConnectorRelay({ relay: list }).prepare(), 'MSRP_ERR_RELAY_FORBIDDEN', 403);
    assert.is(other.auths.length, 0);
  } finally {
    await refusing.close();
    await other.close();
  }
});

failover('a relay that answers AUTH with an error status is passed over for the next', async () => {
  const broken = await FakeRelay.start({ onAuth: (request, r) => r.respond(request, 500) });
  const other = await FakeRelay.start();
  try {
    const list = [broken, other].map((r) => ({ host: '127.0.0.1', port: r.port, insecure: true }));
    const connector = new ConnectorRelay({ relay: list });
    await connector.prepare();
    assert.is(other.auths.length, 1);
    connector.cancel();
  } finally {
    await broken.close();
    await other.close();
  }
});

srv.run();
failover.run();
