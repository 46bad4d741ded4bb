/**
 * `msrp relay`: runs an RFC 4976 relay (MsrpRelay) until Ctrl-C or SIGTERM.
 *
 * With no flags it listens on 127.0.0.1:2855 as `localhost` (a host name in
 * Use-Path, RFC 4976 §4.2) with a certificate generated for that name, and
 * prints how clients reach it: its URI and the certificate's fingerprint to
 * pin. Users and passwords come from a credential file (`--users FILE`, the
 * format of src/relay/credentials.ts) or from MSRP_RELAY_USERS
 * (`name:password` pairs separated by commas or spaces, realm = the host);
 * only the names are printed.
 */
import { readFile } from 'node:fs/promises';
import {
  consoleLogger, MemoryCredentialStore, MsrpError, MsrpRelay, type MsrpRelayOptions, parseCredentials, type StoredCredential,
  trafficLogTo,
} from '../index.ts';
import { COMMON_OPTIONS, parseCommand, parseInteger, stringFlag } from './args.ts';
import { generateCertificate } from './certificate.ts';
import { CliError, EXIT, UsageError, type ExitCode } from './exit.ts';
import { Interrupt } from './input.ts';
import type { Output } from './output.ts';

/** Default relay port (RFC 4976 §8). */
const DEFAULT_PORT = 2855;

/** Users from MSRP_RELAY_USERS: `alice:secret,bob:other` (commas or whitespace between pairs). */
export function usersFromEnvironment(text: string, realm: string): StoredCredential[] {
  const out: StoredCredential[] = [];
  for (const pair of text.split(/[\s,]+/).filter((p) => p !== '')) {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) {
      // the pair may hold a password: say which one is wrong by position only
      throw new UsageError(`MSRP_RELAY_USERS entry ${out.length + 1} is not name:password`);
    }
    out.push({ username: pair.slice(0, colon), realm, password: pair.slice(colon + 1) });
  }
  return out;
}

/** The relay's users: --users FILE, else MSRP_RELAY_USERS, else none. */
async function loadUsers(file: string | undefined, realm: string, env: NodeJS.ProcessEnv): Promise<StoredCredential[]> {
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new CliError(EXIT.BAD_PATH, `cannot read the users file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return parseCredentials(text, file);
  }
  return usersFromEnvironment(env.MSRP_RELAY_USERS ?? '', realm);
}

/** `msrp relay`: see the module comment. */
export async function relay(argv: string[], out: Output, env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const { values } = parseCommand(argv, {
    ...COMMON_OPTIONS, host: { type: 'string' }, port: { type: 'string' }, listen: { type: 'string' }, 'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' }, users: { type: 'string' }, 'insecure-tcp': { type: 'boolean' },
  });
  const host = stringFlag(values, 'host') ?? 'localhost';
  const port = values.port === undefined ? DEFAULT_PORT : parseInteger(stringFlag(values, 'port')!, '--port', 0, 65535);
  const listen = stringFlag(values, 'listen') ?? (host === 'localhost' ? '127.0.0.1' : '0.0.0.0');
  const insecure = values['insecure-tcp'] === true;
  const certFile = stringFlag(values, 'tls-cert');
  const keyFile = stringFlag(values, 'tls-key');
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (insecure && certFile !== undefined) throw new UsageError('--insecure-tcp listens without TLS: no --tls-cert then');
  const users = await loadUsers(stringFlag(values, 'users'), host, env);
  let tls: MsrpRelayOptions['tls'];
  let certificate: string;
  let fingerprint: string | null = null;
  if (certFile !== undefined) {
    const read = (f: string) => readFile(f).catch((err: NodeJS.ErrnoException) => {
      throw new CliError(EXIT.BAD_PATH, `cannot read ${f}: ${err.code ?? err.message}`);
    });
    tls = { cert: await read(certFile), key: await read(keyFile!) };
    certificate = `from ${certFile}`;
  } else if (!insecure) {
    const made = await generateCertificate([host]);
    tls = { cert: made.cert, key: made.key };
    fingerprint = made.fingerprint;
    certificate = `generated for ${host}, ${made.fingerprint}`;
  } else {
    certificate = 'none: plain TCP (RFC 4976 §9.2 wants TLS; for trusted links and tests only)';
  }
  const options: MsrpRelayOptions = {
    host, listenHost: listen, port, tls, credentials: new MemoryCredentialStore(users), logger: consoleLogger('warn'),
    ...(insecure ? { noTls: true, tcpPort: port } : {}),
    ...(values.trace === true ? { trafficLog: trafficLogTo((text) => process.stderr.write(text)) } : {}),
  };
  let server: MsrpRelay;
  try {
    server = new MsrpRelay(options);
  } catch (err) {
    if (err instanceof MsrpError) throw err;
    throw new UsageError((err as Error).message);
  }
  const interrupt = new Interrupt();
  try {
    await server.listen();
    const uri = String(server.uri);
    const names = users.map((u) => u.username);
    const pin = fingerprint === null ? '' : ` --relay-fingerprint '${fingerprint}'`;
    out.event('listening', { uri, listen, port: server.uri.port, fingerprint, users: names, realm: host },
      `msrp relay ${uri} listening on ${listen}:${server.uri.port}\n` +
      `certificate: ${certificate}\n` +
      `users (realm ${host}): ${names.length === 0 ? 'none yet: every AUTH is refused; give --users FILE or MSRP_RELAY_USERS' : names.join(', ')}\n` +
      `clients: msrp send FILE --relay ${uri.replace(/;tcp$/, '')}${pin} --user NAME (password from MSRP_PASSWORD or asked)\n` +
      'Ctrl-C stops it');
    if (names.length === 0 && out.json) out.warn('the relay knows no users: every AUTH is refused');
    const signal = await interrupt.signalled;
    await server.close();
    out.event('stopped', { signal }, `relay stopped (${signal})`);
    return EXIT.OK;
  } finally {
    interrupt.dispose();
    await server.close();
  }
}
