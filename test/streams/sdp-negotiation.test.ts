import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MsrpUri } from '../../src/protocol/uri.ts';
import * as S from '../../src/streams/sdp.ts';
import { rejectsWith, rfcText } from './helpers.ts';

const rejects = (fn: () => unknown, part: string) => rejectsWith(fn, 'MSRP_ERR_SDP', part, 0);

const Types = suite('negotiation: content types');

Types('mandatory multipart types are added unless signalled explicitly or by a wildcard', () => {
  assert.equal(S.withMandatoryTypes(['text/plain']), ['text/plain', 'multipart/mixed', 'multipart/alternative']);
  assert.equal(S.withMandatoryTypes(['multipart/mixed', 'text/plain']), ['multipart/mixed', 'text/plain', 'multipart/alternative']);
  assert.equal(S.withMandatoryTypes(['multipart/*']), ['multipart/*']);
  assert.equal(S.withMandatoryTypes(['*']), ['*']);
  assert.equal([...S.MANDATORY_ACCEPT_TYPES], ['multipart/mixed', 'multipart/alternative']);
});

Types('intersection keeps the narrower entry of each overlapping pair, in local order', () => {
  const sipsimple = ['message/cpim', 'text/*', 'image/*', 'application/im-iscomposing+xml'];
  // RFC 4975 §8.7 Figure 9 offer against sipsimple's defaults
  assert.equal(S.negotiateAcceptTypes(sipsimple, ['message/cpim', 'text/plain', 'text/html']), ['message/cpim', 'text/plain', 'text/html']);
  assert.equal(S.negotiateAcceptTypes(['*'], ['image/png', 'text/plain']), ['image/png', 'text/plain']);
  assert.equal(S.negotiateAcceptTypes(['text/plain'], ['*']), ['text/plain']);
  assert.equal(S.negotiateAcceptTypes(['text/*'], ['TEXT/*']), ['TEXT/*']);
  assert.equal(S.negotiateAcceptTypes(['text/plain'], ['image/*']), []);
  // entries equal but for parameters cover each other (RFC 4975 §8.6): the remote one is kept
  assert.equal(S.negotiateAcceptTypes(['text/plain;charset=utf-8'], ['text/plain']), ['text/plain']);
  assert.equal(S.negotiateAcceptTypes(['text/plain', 'not-a-type'], ['text/plain', 'text/plain']), ['text/plain']);
});

Types('delivery mode: plain when listed, CPIM when only wrapped, CPIM when needed or preferred', () => {
  // RFC 5547 §9.1: file receiver takes only message/cpim with anything wrapped
  const fileRx = { acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'] };
  assert.is(S.deliveryMode(fileRx, 'image/jpeg'), 'cpim');
  assert.is(S.deliveryMode(fileRx, 'image/jpeg', 'prefer'), 'cpim');
  // RFC 7701 §9.1 F2 chat room
  const room = { acceptTypes: ['message/cpim'], acceptWrappedTypes: ['text/plain', 'text/html', '*'] };
  assert.is(S.deliveryMode(room, 'text/plain'), 'cpim');
  const plainOnly = { acceptTypes: ['text/plain'], acceptWrappedTypes: [] };
  assert.is(S.deliveryMode(plainOnly, 'text/plain'), 'plain');
  assert.is(S.deliveryMode(plainOnly, 'text/plain', 'prefer'), 'plain');
  assert.is(S.deliveryMode(plainOnly, 'text/plain', 'must'), null);
  assert.is(S.deliveryMode(plainOnly, 'image/png'), null);
  const both = { acceptTypes: ['message/cpim', 'text/plain'], acceptWrappedTypes: ['image/png'] };
  assert.is(S.deliveryMode(both, 'text/plain'), 'plain');
  assert.is(S.deliveryMode(both, 'text/plain', 'prefer'), 'cpim');
  assert.is(S.deliveryMode(both, 'text/plain', 'must'), 'cpim');
  assert.is(S.deliveryMode(both, 'image/png'), 'cpim');
  assert.is(S.deliveryMode(both, 'image/gif'), null);
  // wrapped types without a listed container cannot be sent (RFC 4975 §8.6)
  assert.is(S.deliveryMode({ acceptTypes: ['text/plain'], acceptWrappedTypes: ['image/png'] }, 'image/png'), null);
  assert.ok(S.acceptsType(['text/*'], 'text/plain; charset=utf-8'));
  assert.not.ok(S.acceptsType(['text/plain;charset=utf-8'], 'text/plain;charset=iso-8859-1'));
});

Types('max-size: a hint, respected when present', () => {
  assert.ok(S.fitsMaxSize({ maxSize: null }, 1e12));
  assert.ok(S.fitsMaxSize({ maxSize: 20000 }, 20000));
  assert.not.ok(S.fitsMaxSize({ maxSize: 20000 }, 20001));
});

const Direction = suite('negotiation: direction and checks');

Direction('answer direction mirrors the offer (RFC 3264 §6.1, RFC 5547 §8)', () => {
  assert.is(S.answerDirection('sendonly'), 'recvonly');
  assert.is(S.answerDirection('recvonly'), 'sendonly');
  assert.is(S.answerDirection('sendrecv'), 'sendrecv');
  assert.is(S.answerDirection('inactive'), 'inactive');
  assert.ok(S.canSend('sendonly') && S.canSend('sendrecv') && !S.canSend('recvonly') && !S.canSend('inactive'));
  assert.ok(S.canReceive('recvonly') && S.canReceive('sendrecv') && !S.canReceive('sendonly') && !S.canReceive('inactive'));
});

Direction('checkRemoteMedia accepts the RFC offer/answer pairs', () => {
  const pairs = [
    ['rfc4975-8.7-fig9-offer.sdp', 'rfc4975-8.7-fig10-answer.sdp'],
    ['rfc4975-11.1-offer.sdp', 'rfc4975-11.1-answer.sdp'],
    ['rfc5547-9.1-fig8-offer.sdp', 'rfc5547-9.1-fig9-answer.sdp'],
    ['rfc5547-9.2-fig15-offer.sdp', 'rfc5547-9.2-fig16-answer.sdp'],
    ['rfc5547-9.2-fig19-reoffer.sdp', 'rfc5547-9.2-fig20-answer.sdp'],
    ['rfc7977-8.2.1-offer.sdp-fragment', 'rfc7977-8.2.1-answer.sdp-fragment'],
  ];
  for (const [o, a] of pairs) {
    const offer = S.parseMsrpMedia(rfcText(o));
    const answer = S.parseMsrpMedia(rfcText(a));
    S.checkRemoteMedia(offer, answer);
    S.checkRemoteMedia(answer, offer);
  }
});

Direction('checkRemoteMedia names what is wrong', () => {
  const local = S.createMsrpMedia({ path: [MsrpUri.parse('msrp://10.0.0.1:7000/a1;tcp')], acceptTypes: ['text/plain'] });
  const remote = S.createMsrpMedia({ path: [MsrpUri.parse('msrp://10.0.0.2:7000/b1;tcp')], acceptTypes: ['text/*'] });
  S.checkRemoteMedia(local, remote);
  rejects(() => S.checkRemoteMedia(local, { ...remote, port: 0 }), 'rejected the stream');
  rejects(() => S.checkRemoteMedia(local, { ...remote, path: [] }), 'no a=path');
  rejects(() => S.checkRemoteMedia(local, { ...remote, secure: true }), 'ends in an msrp URI');
  const tls = S.createMsrpMedia({ path: [MsrpUri.parse('msrps://10.0.0.2:7000/b1;tcp')], acceptTypes: ['text/*'] });
  rejects(() => S.checkRemoteMedia(local, tls), 'transport mismatch');
  rejects(() => S.checkRemoteMedia({ ...local, direction: 'sendonly' }, { ...remote, direction: 'sendonly' }), 'directions contradict');
  rejects(() => S.checkRemoteMedia({ ...local, direction: 'recvonly' }, { ...remote, direction: 'recvonly' }), 'directions contradict');
  S.checkRemoteMedia({ ...local, direction: 'inactive' }, { ...remote, direction: 'sendonly' });
  rejects(() => S.checkRemoteMedia(local, { ...remote, acceptTypes: ['image/png'] }), 'no common content type');
  S.checkRemoteMedia({ ...local, acceptTypes: ['message/cpim'], acceptWrappedTypes: ['image/*'] }, { ...remote, acceptTypes: ['image/png'] });
});

Types.run();
Direction.run();
