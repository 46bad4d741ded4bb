import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sessionPair, next, collect, patternStream, pattern } from './helpers.ts';
import type { ReceivedMessage } from '../../src/session.ts';
import type { IncomingStream } from '../../src/session/incoming-stream.ts';

const messages = suite('session messages');

messages('a chat message arrives whole and is delivered by its 200', async () => {
  const pair = await sessionPair();
  try {
    const got = next<ReceivedMessage>(pair.b, 'message');
    const sent = pair.a.sendMessage('hello', 'text/plain');
    const m = await got;
    assert.is(m.body.toString(), 'hello');
    assert.is(m.contentType, 'text/plain');
    const outcome = await sent.done;
    assert.is(outcome.status, 'delivered');
    assert.is(outcome.confirmedBy, 'response');
  } finally {
    await pair.close();
  }
});

messages('a 5 MB message arrives as an incoming stream', async () => {
  const pair = await sessionPair();
  try {
    const size = 5_000_000;
    const got = next<IncomingStream>(pair.b, 'incoming');
    const sent = pair.a.sendMessage(patternStream(size), 'application/octet-stream', { size, successReport: 'yes' });
    const stream = await got;
    assert.is(stream.size, size);
    const body = await collect(stream);
    assert.ok(body.equals(pattern(0, size)));
    const outcome = await sent.done;
    assert.is(outcome.status, 'delivered');
    assert.is(outcome.confirmedBy, 'report');
    assert.is(outcome.reportedBytes, size);
  } finally {
    await pair.close();
  }
});

messages.run();
