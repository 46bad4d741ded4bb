import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as F from '../../src/streams/sdp-file.ts';

const SHA1 = '72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E';

const Selector = suite('RFC 5547 file-selector');

Selector('the RFC 5547 §6 Figure 2 selector, read and written back', () => {
  const value = `name:"My cool picture.jpg" type:image/jpeg size:32349 hash:sha-1:${SHA1}`;
  const sel = F.parseFileSelector(value);
  assert.equal(sel, { name: 'My cool picture.jpg', type: 'image/jpeg', size: 32349, hashes: [{ algorithm: 'sha-1', value: SHA1 }] });
  assert.is(F.formatFileSelector(sel), value);
});

Selector('a bare selector (capability query, §8.5), several hashes, selectors in any order', () => {
  assert.equal(F.parseFileSelector(null), { name: null, type: null, size: null, hashes: [] });
  assert.is(F.formatFileSelector({ name: null, type: null, size: null, hashes: [] }), null);
  const sel = F.parseFileSelector('hash:SHA-256:ab:cd  size:1 hash:sha-1:00 name:"x"');
  assert.equal(sel, { name: 'x', type: null, size: 1, hashes: [{ algorithm: 'sha-256', value: 'AB:CD' }, { algorithm: 'sha-1', value: '00' }] });
});

Selector('names: percent escapes for what the ABNF forbids and for directory separators', () => {
  const sel = { name: '50% "off"\r\n/\\.txt', type: null, size: null, hashes: [] };
  assert.is(F.formatFileSelector(sel), 'name:"50%25 %22off%22%0D%0A%2F%5C.txt"');
  assert.equal(F.parseFileSelector(F.formatFileSelector(sel)), sel);
  assert.is(F.parseFileSelector('name:"%e2%82%ac %zz %"').name, '€ %zz %');
  assert.is(F.parseFileSelector('name:"%ff"').name, '\uFFFD');
});

const Other = suite('RFC 5547 other file attributes');

Other('parseFileAttribute builds up the attributes and ignores what is not its own', () => {
  let f = F.parseFileAttribute(null, 'file-transfer-id', 'vBnG916bdberum2fFEABR1FR3ExZMUrd');
  f = F.parseFileAttribute(f!, 'file-disposition', 'Attachment');
  f = F.parseFileAttribute(f!, 'file-date', 'creation:"Mon, 15 May 2006 15:01:31 +0300" read:"Mon, 16 May 2006 09:12:27 +0300"');
  f = F.parseFileAttribute(f!, 'file-icon', 'cid:id2@alicepc.example.com');
  f = F.parseFileAttribute(f!, 'file-range', '1-*');
  assert.equal(f, {
    selector: null, transferId: 'vBnG916bdberum2fFEABR1FR3ExZMUrd', disposition: 'attachment',
    date: { creation: 'Mon, 15 May 2006 15:01:31 +0300', read: 'Mon, 16 May 2006 09:12:27 +0300' },
    icon: 'cid:id2@alicepc.example.com', range: { start: 1, stop: '*' },
  });
  assert.is(F.parseFileAttribute(null, 'path', 'x'), undefined);
  assert.is(F.parseFileAttribute(f!, 'file-other', 'x'), undefined);
  assert.equal(F.formatFileAttributes(f!).map((a) => `${a.name}:${a.value}`), [
    'file-transfer-id:vBnG916bdberum2fFEABR1FR3ExZMUrd', 'file-disposition:attachment',
    'file-date:creation:"Mon, 15 May 2006 15:01:31 +0300" read:"Mon, 16 May 2006 09:12:27 +0300"',
    'file-icon:cid:id2@alicepc.example.com', 'file-range:1-*',
  ]);
  // an empty file (RFC 5547 allows size 0): stop one before start
  assert.equal(F.parseFileAttribute(null, 'file-range', '1-0')?.range, { start: 1, stop: 0 });
});

Other('formatFileDate: RFC 5322 date-time with a numeric zone', () => {
  assert.is(F.formatFileDate(new Date('2006-05-15T12:01:31Z')), 'Mon, 15 May 2006 12:01:31 +0000');
  assert.is(F.formatFileDate(new Date('2024-02-29T00:00:09Z')), 'Thu, 29 Feb 2024 00:00:09 +0000');
});

Selector.run();
Other.run();
