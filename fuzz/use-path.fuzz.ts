/**
 * Properties of the RFC 4976 path arithmetic (src/relay/use-path.ts): a
 * relay hop keeps the whole route (From-Path reversed, then To-Path) and its
 * text rewrite agrees with the parsed one; and a SEND whose To-Path a client
 * built from its Use-Path and the peer's a=path (§5.1) reaches the peer,
 * after every relay's §6.4 rewrite, with exactly the From-Path the peer would
 * itself build to answer.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import { formatPath, parsePath } from '../src/protocol/headers.ts';
import { forwardPaths, forwardPathValues, localPath, toPathToPeer } from '../src/relay/use-path.ts';
import { pathArb, uriArb } from './arbitraries/uriArb.ts';
import { type AnyProperty, checkProperty, FUZZ_LONG } from './settings.ts';

const route = (to: readonly string[], from: readonly string[]) => [...from].reverse().concat(to).join(' ');
const canonical = (value: string) => formatPath(parsePath(value));

const usePathArb = fc.array(uriArb, { maxLength: 3 }).map((u) => u.map((t) => parsePath(t)[0]));
const endpointArb = uriArb.map((t) => parsePath(t)[0]);

/** The properties, by sentence. */
export const usePathProperties: Record<string, AnyProperty> = {
  'a hop keeps the route, and the text rewrite agrees with the parsed one': fc.property(
    fc.tuple(uriArb, pathArb), pathArb, ([first, rest], from) => {
      const to = `${first} ${rest}`;
      const text = forwardPathValues(to, from);
      const parsed = forwardPaths(parsePath(to), parsePath(from));
      if (canonical(text.toPathValue) !== formatPath(parsed.toPath)) throw new Error(`To-Path ${text.toPathValue}`);
      if (canonical(text.fromPathValue) !== formatPath(parsed.fromPath)) throw new Error(`From-Path ${text.fromPathValue}`);
      if (text.hop !== first) throw new Error(`hop ${text.hop}`);
      if (route(text.toPath, text.fromPath) !== route(to.split(' '), from.split(' '))) throw new Error('route changed');
    }),
  'a SEND built per RFC 4976 §5.1 arrives with the From-Path the peer would answer along': fc.property(
    usePathArb, usePathArb, endpointArb, endpointArb, (useA, useB, a, b) => {
      let to = formatPath(toPathToPeer(useA, localPath(useB, b)));
      let from = formatPath([a]);
      for (let relays = useA.length + useB.length; relays > 0; relays--) ({ toPathValue: to, fromPathValue: from } = forwardPathValues(to, from));
      if (to !== String(b)) throw new Error(`arrived at ${to}`);
      const answer = formatPath(toPathToPeer(useB, localPath(useA, a)));
      if (from !== answer) throw new Error(`From-Path ${from} but the peer answers along ${answer}`);
    }),
};

/** Runs every property as a uvu test. */
export function usePathFuzzSuite(): void {
  const s = suite(FUZZ_LONG ? 'use-path properties (long)' : 'use-path properties');
  for (const [name, property] of Object.entries(usePathProperties)) s(name, () => checkProperty(name, property, 300));
  s.run();
}

if (FUZZ_LONG) usePathFuzzSuite();
