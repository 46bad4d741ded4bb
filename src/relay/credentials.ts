/**
 * Credential stores for the relay's digest AUTH (RFC 4976 §6.3): who may use
 * the relay, looked up by username and realm. The lookup is async so that a
 * database can implement the interface; an in-memory store and a file store
 * are built in.
 *
 * A store may keep the password, or only H(user:realm:password) for each
 * digest hash (RFC 7616 §5.2), so the file need not hold passwords at all.
 * Nothing here logs, and no error repeats a line's content: a password never
 * reaches a log.
 *
 * File format (UTF-8, one user per line; blank lines and lines starting with
 * "#" are ignored; neither username nor realm may contain ":"):
 *
 *     alice:relay.example.com:secret password          the password: the rest of the line
 *     bob:relay.example.com:{ha1}:<md5>:<sha-256>
 *
 * In a `{ha1}` line each hash is lower-case hex (32 and 64 digits) or "-"
 * for none, and trailing ones may be left out. `credentialLine()` writes
 * either form.
 */
import { readFile } from 'node:fs/promises';
import { MsrpError } from '../errors.ts';
import { digestHa1, type DigestHash, type DigestSecret } from '../protocol/digest.ts';

/** One user's entry: a DigestSecret with its names. */
export interface StoredCredential extends DigestSecret {
  username: string;
  realm: string;
}

/** Where the relay finds credentials; implement it for a database. */
export interface CredentialStore {
  /** the entry of `username` in `realm`, or null; usernames are case-sensitive (RFC 7616 §3.4.2 hashes them as written) */
  lookup(username: string, realm: string): Promise<StoredCredential | null>;
}

/** Hashes of a `{ha1}` line, in column order. */
const HA1_COLUMNS: ReadonlyArray<[DigestHash, number]> = [['MD5', 32], ['SHA-256', 64]];

const HA1_MARK = '{ha1}';

function key(username: string, realm: string): string {
  return `${username}\u0000${realm}`;
}

function checkName(what: string, value: string): void {
  if (value.length === 0 || value.includes(':') || /[\r\n]/.test(value)) {
    throw new RangeError(`${what} must be non-empty, without ":" or line breaks`);
  }
}

function copy(entry: StoredCredential): StoredCredential {
  const out: StoredCredential = { username: entry.username, realm: entry.realm };
  if (entry.password !== undefined) out.password = entry.password;
  if (entry.ha1 !== undefined) out.ha1 = { ...entry.ha1 };
  return out;
}

/** Credentials held in memory. */
export class MemoryCredentialStore implements CredentialStore {
  private readonly entries = new Map<string, StoredCredential>();

  constructor(entries: Iterable<StoredCredential> = []) {
    for (const e of entries) this.set(e);
  }

  /** Adds or replaces a user; give a password or HA1 values (RFC 7616 §5.2). */
  set(entry: StoredCredential): this {
    checkName('username', entry.username);
    checkName('realm', entry.realm);
    if (entry.password === undefined && (entry.ha1 === undefined || Object.keys(entry.ha1).length === 0)) {
      throw new RangeError(`credential for ${entry.username} has neither a password nor an HA1`);
    }
    this.entries.set(key(entry.username, entry.realm), copy(entry));
    return this;
  }

  /** Removes a user; true when there was one. */
  delete(username: string, realm: string): boolean {
    return this.entries.delete(key(username, realm));
  }

  /** How many users are stored. */
  get size(): number {
    return this.entries.size;
  }

  /** See CredentialStore. */
  async lookup(username: string, realm: string): Promise<StoredCredential | null> {
    const e = this.entries.get(key(username, realm));
    return e === undefined ? null : copy(e);
  }
}

/**
 * Parses credential-file text (format in the module comment). Errors name the
 * source and line number only. Throws MsrpError MSRP_ERR_CREDENTIALS.
 */
export function parseCredentials(text: string, source = 'credentials'): StoredCredential[] {
  const out: StoredCredential[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const bad = (why: string) => new MsrpError('MSRP_ERR_CREDENTIALS', `${source} line ${i + 1}: ${why}`);
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (a <= 0 || b <= a + 1) throw bad('expected username:realm:secret');
    const entry: StoredCredential = { username: line.slice(0, a), realm: line.slice(a + 1, b) };
    const rest = line.slice(b + 1);
    if (rest === HA1_MARK || rest.startsWith(`${HA1_MARK}:`)) {
      const columns = rest === HA1_MARK ? [] : rest.slice(HA1_MARK.length + 1).split(':');
      if (columns.length > HA1_COLUMNS.length) throw bad(`at most ${HA1_COLUMNS.length} hashes after {ha1}`);
      const ha1: Partial<Record<DigestHash, string>> = {};
      columns.forEach((col, j) => {
        const [hash, digits] = HA1_COLUMNS[j];
        if (col === '-') return;
        if (col.length !== digits || !/^[0-9a-fA-F]+$/.test(col)) throw bad(`${hash} HA1 must be ${digits} hex digits or "-"`);
        ha1[hash] = col.toLowerCase();
      });
      if (Object.keys(ha1).length === 0) throw bad('{ha1} line without any hash');
      entry.ha1 = ha1;
    } else {
      if (rest === '') throw bad('empty password');
      entry.password = rest;
    }
    const k = key(entry.username, entry.realm);
    if (seen.has(k)) throw bad('the same username and realm appear on an earlier line');
    seen.add(k);
    out.push(entry);
  }
  return out;
}

/**
 * One line of the credential file for a user. With `hashed` the password is
 * replaced by its HA1 for every supported hash, so the file holds no password.
 */
export function credentialLine(username: string, realm: string, password: string, hashed = false): string {
  checkName('username', username);
  checkName('realm', realm);
  if (password === '' || /[\r\n]/.test(password)) throw new RangeError('password must be non-empty, without line breaks');
  if (!hashed) {
    if (password === HA1_MARK || password.startsWith(`${HA1_MARK}:`)) throw new RangeError('a password starting with {ha1}: must be stored hashed');
    return `${username}:${realm}:${password}`;
  }
  return `${username}:${realm}:${HA1_MARK}:${HA1_COLUMNS.map(([hash]) => digestHa1(hash, username, realm, password)).join(':')}`;
}

/** Credentials read from a file (format in the module comment); `reload()` reads it again. */
export class FileCredentialStore implements CredentialStore {
  readonly path: string;
  private store = new MemoryCredentialStore();

  private constructor(path: string) {
    this.path = path;
  }

  /** Reads `path`; rejects with MsrpError MSRP_ERR_CREDENTIALS when it is malformed or unreadable. */
  static async open(path: string): Promise<FileCredentialStore> {
    const s = new FileCredentialStore(path);
    await s.reload();
    return s;
  }

  /** Reads the file again; on failure the previous entries stay in use. */
  async reload(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      throw new MsrpError('MSRP_ERR_CREDENTIALS', `cannot read credential file ${this.path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
    }
    this.store = new MemoryCredentialStore(parseCredentials(text, this.path));
  }

  /** How many users the file holds. */
  get size(): number {
    return this.store.size;
  }

  /** See CredentialStore. */
  lookup(username: string, realm: string): Promise<StoredCredential | null> {
    return this.store.lookup(username, realm);
  }
}
