/**
 * RFC 6135 connection roles: what to offer, what to answer, and who is
 * active for every offer/answer pair, including offers and answers without
 * a=setup (RFC 4975 §5.4: the offerer is active) and `holdconn` (ignored).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { answerSetup, connectionRole, offerSetup, parseSetup } from '../../src/connect/index.ts';

const roles = suite('connect/roles: a=setup (RFC 6135 §4.2)');

roles('parseSetup: holdconn and unknown values count as absent', () => {
  assert.is(parseSetup('ACTPASS'), 'actpass');
  assert.is(parseSetup(' active '), 'active');
  assert.is(parseSetup('holdconn'), null);
  assert.is(parseSetup('sideways'), null);
  assert.is(parseSetup(undefined), null);
});

roles('the offer is actpass, or active when unreachable; never passive', () => {
  assert.is(offerSetup(), 'actpass');
  assert.is(offerSetup(false), 'active');
});

roles('the answer: passive to actpass, active, or no a=setup; active to passive', () => {
  assert.is(answerSetup('actpass'), 'passive');
  assert.is(answerSetup('actpass', true), 'active');
  assert.is(answerSetup('active'), 'passive');
  assert.is(answerSetup('passive'), 'active');
  assert.is(answerSetup(null), 'passive');
  assert.is(answerSetup('holdconn'), 'passive');
});

roles('who is active, seen from both ends', () => {
  const table: Array<[string | null, string | null, 'active' | 'passive']> = [
    // offer, answer, the offerer's role
    ['actpass', 'passive', 'active'],
    ['actpass', 'active', 'passive'],
    ['active', 'passive', 'active'],
    [null, null, 'active'], // RFC 4975 peers on both ends
    ['actpass', null, 'active'], // an RFC 4975 answerer
    [null, 'active', 'passive'],
    ['holdconn', 'holdconn', 'active'],
    ['passive', null, 'passive'],
  ];
  for (const [offer, answer, offerer] of table) {
    const other = offerer === 'active' ? 'passive' : 'active';
    assert.is(connectionRole({ offerer: true, offer, answer }), offerer, `offer ${offer} answer ${answer}`);
    assert.is(connectionRole({ offerer: false, offer, answer }), other, `answerer, offer ${offer} answer ${answer}`);
  }
});

roles.run();
