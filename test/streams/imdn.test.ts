import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { unwrapCpim, wrapCpim } from '../../src/streams/cpim.ts';
import * as D from '../../src/streams/imdn.ts';
import { rejectsWith } from './helpers.ts';

// RFC 5438 §7.1.1.3: an IM asking for positive and negative delivery notifications (printed without blank lines)
const IM = 'From: Alice <im:alice@example.com>\r\nTo: Bob <im:bob@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\n'
  + 'imdn.Message-ID: 34jk324j\r\nDateTime: 2006-04-04T12:16:49-05:00\r\n'
  + 'imdn.Disposition-Notification: positive-delivery, negative-delivery\r\nContent-type: text/plain\r\nContent-length: 12\r\n\r\nHello World';

// RFC 5438 §7.2.1.1 and §7.2.1.2 documents, as printed (indentation and the split start tag kept)
const DELIVERY_XML = '<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn">\r\n'
  + '      <message-id>34jk324j</message-id>\r\n      <datetime>2008-04-04T12:16:49-05:00</datetime>\r\n'
  + '     <recipient-uri>im:bob@example.com</recipient-uri>\r\n      <original-recipient-uri\r\n        >im:bob@example.com</original-recipient-uri>\r\n'
  + '      <delivery-notification>\r\n         <status>\r\n            <delivered/>\r\n         </status>\r\n      </delivery-notification>\r\n    </imdn>\r\n';
const DISPLAY_XML = DELIVERY_XML.replace(/delivery-notification/g, 'display-notification').replace('<delivered/>', '<displayed/>');

const Request = suite('IMDN: requests in CPIM');

Request('reads the RFC 5438 §7.1.1.3 IM', () => {
  const req = D.readImdnRequest(unwrapCpim(Buffer.from(IM)));
  assert.equal(req, {
    messageId: '34jk324j', dateTime: '2006-04-04T12:16:49-05:00', dispositions: ['positive-delivery', 'negative-delivery'],
    from: { displayName: 'Alice', uri: 'im:alice@example.com' }, recipientUri: 'im:bob@example.com', originalRecipientUri: null, recordRoute: [],
  });
  assert.ok(D.wantsNotification(req!, 'delivered'));
  assert.ok(D.wantsNotification(req!, 'failed'));
  assert.not.ok(D.wantsNotification(req!, 'displayed'));
});

Request('request headers written by wrapCpim come back; any prefix works; parameters and case ignored', () => {
  const { namespaces, headers } = D.imdnRequestHeaders('Xs8Nd8sh', ['positive-delivery', 'display']);
  const body = wrapCpim('hi', { from: 'sip:a@x', to: ['sip:b@x'], namespaces, headers, dateTime: new Date('2020-01-01T00:00:00Z'), contentType: 'text/plain' });
  assert.ok(body.toString().includes('NS: imdn <urn:ietf:params:imdn>\r\nDateTime: 2020-01-01T00:00:00Z\r\nimdn.Message-ID: Xs8Nd8sh\r\nimdn.Disposition-Notification: positive-delivery, display\r\n'));
  assert.equal(D.readImdnRequest(unwrapCpim(body))?.dispositions, ['positive-delivery', 'display']);
  const other = 'NS: n <urn:ietf:params:imdn>\r\nn.Message-ID: m1234\r\nDateTime: 2020-01-01T00:00:00Z\r\n'
    + 'n.Disposition-Notification: Display;x=1 ,  positive-delivery\r\nn.Original-To: Bob <sip:bob@x>\r\nn.IMDN-Record-Route: <sip:as@x>\r\n\r\nContent-Type: text/plain\r\n\r\n';
  const req = D.readImdnRequest(unwrapCpim(Buffer.from(other)));
  assert.equal(req?.dispositions, ['display', 'positive-delivery']);
  assert.is(req?.originalRecipientUri, 'sip:bob@x');
  assert.equal(req?.recordRoute, ['<sip:as@x>']);
  assert.throws(() => D.imdnRequestHeaders('bad id', []), RangeError);
  assert.match(D.newImdnMessageId(), /^[0-9a-f]{20}$/);
});

Request('no request: nothing asked, no Message-ID, no DateTime, or the message is itself an IMDN', () => {
  const base = 'NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: abcd\r\nDateTime: 2020-01-01T00:00:00Z\r\n';
  const read = (cpim: string, ct = 'text/plain') => D.readImdnRequest(unwrapCpim(Buffer.from(`${cpim}\r\nContent-Type: ${ct}\r\n\r\n`)));
  assert.is(read(base), null);
  assert.is(read(`${base}imdn.Disposition-Notification: \r\n`), null);
  assert.is(read('NS: imdn <urn:ietf:params:imdn>\r\nDateTime: 2020-01-01T00:00:00Z\r\nimdn.Disposition-Notification: display\r\n'), null);
  assert.is(read('NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: abcd\r\nimdn.Disposition-Notification: display\r\n'), null);
  assert.is(read(`${base}imdn.Disposition-Notification: display\r\n`, 'message/imdn+xml'), null);
  assert.ok(read(`${base}imdn.Disposition-Notification: display\r\n`) !== null);
  // a header in another namespace with the same local name is not a request
  assert.is(read('NS: x <urn:other>\r\nx.Message-ID: abcd\r\nDateTime: 2020-01-01T00:00:00Z\r\nx.Disposition-Notification: display\r\n'), null);
});

const Doc = suite('IMDN: documents');

Doc('RFC 5438 §7.2.1.1 and §7.2.1.2 documents', () => {
  const base = { messageId: '34jk324j', datetime: '2008-04-04T12:16:49-05:00', recipientUri: 'im:bob@example.com', originalRecipientUri: 'im:bob@example.com', subject: null };
  assert.equal(D.parseImdn(DELIVERY_XML), { ...base, notification: 'delivery', status: 'delivered' });
  assert.equal(D.parseImdn(DISPLAY_XML), { ...base, notification: 'display', status: 'displayed' });
});

Doc('build and parse back; the schema grouping of the optional elements is kept', () => {
  const imdn: D.Imdn = { messageId: 'm1', datetime: '2020-01-01T00:00:00Z', recipientUri: 'sip:b@x', originalRecipientUri: null, subject: 'a <b>', notification: 'display', status: 'error' };
  const xml = D.buildImdn(imdn);
  assert.is(xml, '<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn">\r\n<message-id>m1</message-id>\r\n'
    + '<datetime>2020-01-01T00:00:00Z</datetime>\r\n<recipient-uri>sip:b@x</recipient-uri>\r\n<original-recipient-uri>sip:b@x</original-recipient-uri>\r\n'
    + '<subject>a &lt;b&gt;</subject>\r\n<display-notification><status><error/></status></display-notification>\r\n</imdn>\r\n');
  assert.equal(D.parseImdn(xml), { ...imdn, originalRecipientUri: 'sip:b@x' });
  const bare = D.buildImdn({ ...imdn, recipientUri: null, subject: 'dropped', notification: null, status: null });
  assert.equal(D.parseImdn(bare), { messageId: 'm1', datetime: '2020-01-01T00:00:00Z', recipientUri: null, originalRecipientUri: null, subject: null, notification: null, status: null });
  assert.throws(() => D.buildImdn({ ...imdn, notification: 'display', status: 'delivered' }), RangeError);
  assert.throws(() => D.buildImdn({ ...imdn, notification: 'delivery', status: null }), RangeError);
  // extension elements in other namespaces are ignored
  const ext = '<imdn xmlns="urn:ietf:params:xml:ns:imdn" xmlns:x="urn:x"><message-id>a</message-id><datetime>d</datetime><x:foo/>'
    + '<processing-notification><status><x:bar/><stored/></status></processing-notification></imdn>';
  assert.equal([D.parseImdn(ext).notification, D.parseImdn(ext).status], ['processing', 'stored']);
});

Doc('malformed documents: MSRP_ERR_XML', () => {
  for (const [xml, part] of [['<other/>', 'root element'], ['<imdn xmlns="urn:x"/>', 'root element'], ['<imdn><datetime>d</datetime></imdn>', 'no <message-id>'],
    ['<imdn><message-id>a</message-id></imdn>', 'no <datetime>'], ['<imdn>', 'not closed']]) {
    rejectsWith(() => D.parseImdn(xml), 'MSRP_ERR_XML', part, 400);
  }
});

const Answer = suite('IMDN: answering');

Answer('a delivery notification for the RFC IM: To its sender, fresh Message-ID, no Disposition-Notification, Content-Disposition: notification', () => {
  const req = D.readImdnRequest(unwrapCpim(Buffer.from(IM)))!;
  const body = D.buildImdnResponse(req, {
    notification: 'delivery', status: 'delivered', from: { displayName: 'Bob', uri: 'im:bob@example.com' },
    messageId: 'd834jied93rf', dateTime: new Date('2008-04-04T17:20:00Z'),
  });
  const m = unwrapCpim(body);
  assert.equal(m.to, [{ displayName: 'Alice', uri: 'im:alice@example.com' }]);
  assert.equal(m.from, { displayName: 'Bob', uri: 'im:bob@example.com' });
  assert.is(m.contentType, 'message/imdn+xml;charset=utf-8');
  assert.equal(m.contentHeaders[1], { name: 'Content-Disposition', value: 'notification' });
  assert.ok(D.isImdn(m));
  assert.is(D.readImdnRequest(m), null, 'never an IMDN for an IMDN');
  assert.not.ok(body.toString().includes('Disposition-Notification:'));
  assert.ok(body.toString().includes('imdn.Message-ID: d834jied93rf\r\n'));
  assert.equal(D.readImdn(m), {
    messageId: '34jk324j', datetime: '2006-04-04T12:16:49-05:00', recipientUri: 'im:bob@example.com', originalRecipientUri: 'im:bob@example.com',
    subject: null, notification: 'delivery', status: 'delivered',
  });
  assert.is(D.readImdn(unwrapCpim(Buffer.from(IM))), null);
});

Answer('IMDN-Record-Route becomes IMDN-Route in order (RFC 5438 §7.2.1)', () => {
  const cpim = 'From: <sip:a@x>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: abcd\r\nDateTime: 2020-01-01T00:00:00Z\r\n'
    + 'imdn.Disposition-Notification: display\r\nimdn.IMDN-Record-Route: <sip:r1@x>\r\nimdn.IMDN-Record-Route: <sip:r2@x>\r\n\r\nContent-Type: text/plain\r\n\r\nhi';
  const req = D.readImdnRequest(unwrapCpim(Buffer.from(cpim)))!;
  const m = unwrapCpim(D.buildImdnResponse(req, { notification: 'display', status: 'displayed', from: 'sip:b@x' }));
  assert.equal(m.headers.filter((h) => h.name === 'imdn.IMDN-Route').map((h) => h.value), ['<sip:r1@x>', '<sip:r2@x>']);
  assert.ok(m.dateTime !== null);
  assert.is(D.readImdn(m)?.status, 'displayed');
});

Request.run();
Doc.run();
Answer.run();
