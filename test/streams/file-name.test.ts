import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createUniqueFile, sanitizeFileName } from '../../src/streams/file-name.ts';

const Sanitize = suite('file names: sanitising a peer-given name');

Sanitize('keeps ordinary names, including the RFC 5547 examples and non-ASCII text', () => {
  assert.is(sanitizeFileName('My cool picture.jpg'), 'My cool picture.jpg');
  assert.is(sanitizeFileName('sunset.jpg'), 'sunset.jpg');
  assert.is(sanitizeFileName('été – 写真.png'), 'été – 写真.png');
  assert.is(sanitizeFileName('e\u0301te\u0301.txt'), 'été.txt'); // NFC
});

Sanitize('no directories, no dot names, no hidden files', () => {
  assert.is(sanitizeFileName('../../etc/passwd'), 'passwd');
  assert.is(sanitizeFileName('..\\..\\Windows\\system.ini'), 'system.ini');
  assert.is(sanitizeFileName('/abs/path/'), 'file');
  assert.is(sanitizeFileName('..'), 'file');
  assert.is(sanitizeFileName('.'), 'file');
  assert.is(sanitizeFileName('.bashrc'), 'bashrc');
  assert.is(sanitizeFileName('...'), 'file');
  assert.is(sanitizeFileName('name. . '), 'name');
  assert.is(sanitizeFileName(''), 'file');
  assert.is(sanitizeFileName('', { fallback: 'received.bin' }), 'received.bin');
  assert.is(sanitizeFileName('', { fallback: '../x' }), 'x');
});

Sanitize('no control characters, no bidi overrides, reserved characters and device names defused', () => {
  assert.is(sanitizeFileName('a\u0000b\r\nc\u007f\u0085.txt'), 'abc.txt');
  assert.is(sanitizeFileName('invoice\u202Efdp.exe'), 'invoicefdp.exe');
  assert.is(sanitizeFileName('a<b>c:d"e|f?g*h.txt'), 'a_b_c_d_e_f_g_h.txt');
  assert.is(sanitizeFileName('CON'), '_CON');
  assert.is(sanitizeFileName('lpt1.txt'), '_lpt1.txt');
  assert.is(sanitizeFileName('console.txt'), 'console.txt');
});

Sanitize('bounded length in UTF-8 octets, the extension kept, no split code point', () => {
  const long = `${'é'.repeat(200)}.jpeg`;
  const s = sanitizeFileName(long);
  assert.ok(Buffer.byteLength(s) <= 255, String(Buffer.byteLength(s)));
  assert.ok(s.endsWith('.jpeg'));
  assert.not.ok(s.includes('\uFFFD'));
  assert.is(sanitizeFileName('x'.repeat(300)).length, 255);
  const weird = sanitizeFileName(`a.${'b'.repeat(300)}`, { maxBytes: 20 });
  assert.is(weird, `a.${'b'.repeat(18)}`);
  assert.throws(() => sanitizeFileName('x', { maxBytes: 3 }), RangeError);
});

const Create = suite('file names: unique creation with O_EXCL');

let dir = '';
Create.before.each(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msrp-fn-'));
});
Create.after.each(async () => {
  await rm(dir, { recursive: true, force: true });
});

Create('creates the sanitised name inside the directory, then numbered names, never overwriting', async () => {
  await writeFile(join(dir, 'photo.jpg'), 'old');
  const a = await createUniqueFile(dir, '../photo.jpg');
  const b = await createUniqueFile(dir, 'photo.jpg');
  assert.is(a.path, join(dir, 'photo (1).jpg'));
  assert.is(b.path, join(dir, 'photo (2).jpg'));
  await a.handle.write(Buffer.from('new'), 0, 3, 0);
  await a.handle.close();
  await b.handle.close();
  assert.is(await readFile(join(dir, 'photo.jpg'), 'utf8'), 'old');
  assert.is(await readFile(a.path, 'utf8'), 'new');
  assert.is((await stat(a.path)).mode & 0o777, 0o600);
  assert.equal((await readdir(dir)).sort(), ['photo (1).jpg', 'photo (2).jpg', 'photo.jpg']);
});

Create('concurrent creations of one name get distinct files', async () => {
  const files = await Promise.all(Array.from({ length: 8 }, () => createUniqueFile(dir, 'same.txt')));
  assert.is(new Set(files.map((f) => f.path)).size, 8);
  await Promise.all(files.map((f) => f.handle.close()));
  assert.is((await readdir(dir)).length, 8);
});

Create('a symbolic link planted at the name is not followed', async () => {
  const target = join(dir, 'target.txt');
  await writeFile(target, 'secret');
  await symlink(target, join(dir, 'evil.txt'));
  const f = await createUniqueFile(dir, 'evil.txt');
  assert.is(f.path, join(dir, 'evil (1).txt'));
  await f.handle.write(Buffer.from('x'), 0, 1, 0);
  await f.handle.close();
  assert.is(await readFile(target, 'utf8'), 'secret');
});

Create('random suffix after the numbered tries; other errors pass through', async () => {
  await writeFile(join(dir, 'a.txt'), '');
  await writeFile(join(dir, 'a (1).txt'), '');
  const f = await createUniqueFile(dir, 'a.txt', { maxAttempts: 1 });
  assert.match(f.path, /a-[0-9a-f]{12}\.txt$/);
  assert.is(dirname(f.path), dir);
  await f.handle.close();
  try {
    await createUniqueFile(join(dir, 'missing'), 'a.txt');
    assert.unreachable('no directory');
  } catch (err) {
    assert.is((err as NodeJS.ErrnoException).code, 'ENOENT');
  }
  // with no numbered tries the random suffix comes first
  await writeFile(join(dir, 'b.txt'), '');
  const g = await createUniqueFile(dir, 'b.txt', { maxAttempts: 0 });
  assert.match(g.path, /b-[0-9a-f]{12}\.txt$/);
  await g.handle.close();
});

Sanitize.run();
Create.run();
