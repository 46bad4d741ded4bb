/**
 * The README's examples (examples/*.ts) run as child processes, as a reader
 * would run them: each must exit 0 and print its closing line.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs examples/<name>.ts; resolves to its exit code and output. */
function run(name: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const examples = suite('examples');

const expected: Record<string, RegExp[]> = {
  transport: [/parsed SEND a786hjs2; URIs equal: true/, /one connection: true/, /got "for session 1", response 200/, /transport example: ok/],
  session: [/bob got "Hello Bob" \(text\/plain\)/, /report 200 for /, /session example: ok/],
  chat: [/bob got "Hello Bob!" from sip:alice@example\.com/, /delivered \(report\); done: true/, /chat example: ok/],
  'file-transfer': [/received 300000 octets/, /file-transfer example: ok/],
  relay: [/through the relay: 30000 octets, delivered \(report\)/, /relay example: ok/],
};

for (const [name, lines] of Object.entries(expected)) {
  examples(`examples/${name}.ts exits 0 and prints what it did`, async () => {
    const { code, stdout, stderr } = await run(name);
    assert.is(code, 0, `exit ${code}: ${stderr}`);
    for (const line of lines) assert.match(stdout, line);
  });
}

examples.run();
