/**
 * The RFC wire examples in test/vectors/rfc/ (copied from shared/vectors/rfc;
 * its README lists their quirks: several Byte-Range values disagree with their
 * bodies, some lines have two or three spaces after the colon).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The folder, as a path ending in a separator. */
export const RFC_DIR = fileURLToPath(new URL('./rfc/', import.meta.url));

/** Names of the vectors ending in `ext` (`.msrp`, `.hdr`), sorted. */
export function rfcFiles(ext: string): string[] {
  return readdirSync(RFC_DIR).filter((f) => f.endsWith(ext)).sort();
}

/** The octets of one vector. */
export function rfc(file: string): Buffer {
  return readFileSync(RFC_DIR + file);
}
