/**
 * A small, safe XML reader for the fixed schemas the streams receive
 * (application/im-iscomposing+xml, RFC 3994 §6; message/imdn+xml, RFC 5438
 * §11): elements, attributes, character data, CDATA, comments, processing
 * instructions and namespaces (XML 1.0, Namespaces in XML 1.0).
 *
 * Safe by construction: a document type declaration is refused, so there are
 * no external or expanding entities (only the five predefined ones and
 * character references); depth, element count and input length are bounded.
 */
import { createParseError, type MsrpParseError } from '../errors.ts';

/** An element: names, resolved namespace, attributes, element children and its own character data. */
export interface XmlElement {
  /** the qualified name as written (`prefix:local` or `local`) */
  name: string;
  localName: string;
  /** the namespace URI, or null for none */
  namespace: string | null;
  /** attributes by qualified name as written, values decoded */
  attributes: Map<string, string>;
  children: XmlElement[];
  /** the character data directly inside this element (not its children's), decoded */
  text: string;
}

/** Bounds on what `parseXml` accepts. */
export interface XmlLimits {
  /** longest input in characters (default 65536) */
  maxLength?: number;
  /** deepest nesting (default 32) */
  maxDepth?: number;
  /** most elements (default 1024) */
  maxElements?: number;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9_:.\-\u00B7-\uFFFF]*/y;

function xmlError(message: string, at: number): MsrpParseError {
  return createParseError('MSRP_ERR_XML', `${message} at offset ${at}`, 400);
}

/** Escapes text for character data or an attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

class Reader {
  private i = 0;
  private elements = 0;

  constructor(private readonly s: string, private readonly maxDepth: number, private readonly maxElements: number) {}

  document(): XmlElement {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    this.misc();
    if (this.s.startsWith('<!DOCTYPE', this.i)) throw xmlError('document type declarations are not accepted', this.i);
    if (this.s[this.i] !== '<') throw xmlError('expected the root element', this.i);
    const root = this.element(new Map([['xml', XML_NS]]), null, 1);
    this.misc();
    if (this.i < this.s.length) throw xmlError('content after the root element', this.i);
    return root;
  }

  /** Skips whitespace, comments and processing instructions (the prolog and epilogue `Misc`). */
  private misc(): void {
    for (;;) {
      while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i])) this.i++;
      if (this.s.startsWith('<!--', this.i)) this.comment();
      else if (this.s.startsWith('<?', this.i)) this.pi();
      else return;
    }
  }

  private comment(): void {
    const end = this.s.indexOf('-->', this.i + 4);
    if (end < 0) throw xmlError('unterminated comment', this.i);
    this.i = end + 3;
  }

  private pi(): void {
    const end = this.s.indexOf('?>', this.i + 2);
    if (end < 0) throw xmlError('unterminated processing instruction', this.i);
    this.i = end + 2;
  }

  private name(): string {
    NAME.lastIndex = this.i;
    const m = NAME.exec(this.s);
    if (m === null) throw xmlError('expected a name', this.i);
    this.i = NAME.lastIndex;
    return m[0];
  }

  private space(): boolean {
    const start = this.i;
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i])) this.i++;
    return this.i > start;
  }

  /** Decodes entity and character references in `raw` (which starts at offset `at`). */
  private decode(raw: string, at: number): string {
    if (raw.indexOf('&') < 0) return raw;
    return raw.replace(/&([^;&]*);?/g, (whole, ref: string, off: number) => {
      if (!whole.endsWith(';')) throw xmlError('"&" not followed by a reference', at + off);
      if (ref in PREDEFINED) return PREDEFINED[ref];
      const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
      const cp = m === null ? -1 : m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
      if (cp < 1 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw xmlError(`unknown reference &${ref};`, at + off);
      return String.fromCodePoint(cp);
    });
  }

  private element(scope: Map<string, string>, defaultNs: string | null, depth: number): XmlElement {
    if (depth > this.maxDepth) throw xmlError(`nesting deeper than ${this.maxDepth}`, this.i);
    if (++this.elements > this.maxElements) throw xmlError(`more than ${this.maxElements} elements`, this.i);
    const start = this.i;
    this.i++; // "<"
    const name = this.name();
    const attributes = new Map<string, string>();
    for (;;) {
      const spaced = this.space();
      const c = this.s[this.i];
      if (c === '>' || c === '/') break;
      if (!spaced) throw xmlError(`expected whitespace, ">" or "/>" in <${name}>`, this.i);
      const at = this.i;
      const attr = this.name();
      this.space();
      if (this.s[this.i] !== '=') throw xmlError(`expected "=" after attribute ${attr}`, this.i);
      this.i++;
      this.space();
      const q = this.s[this.i];
      if (q !== '"' && q !== "'") throw xmlError(`attribute ${attr}: value must be quoted`, this.i);
      const end = this.s.indexOf(q, this.i + 1);
      if (end < 0) throw xmlError(`attribute ${attr}: unterminated value`, this.i);
      const raw = this.s.slice(this.i + 1, end);
      if (raw.includes('<')) throw xmlError(`attribute ${attr}: "<" in value`, this.i);
      if (attributes.has(attr)) throw xmlError(`attribute ${attr} appears twice`, at);
      attributes.set(attr, this.decode(raw, this.i + 1));
      this.i = end + 1;
    }
    // namespace declarations on this element apply to it and its content
    let ns = defaultNs;
    let inner = scope;
    for (const [attr, value] of attributes) {
      if (attr === 'xmlns') ns = value === '' ? null : value;
      else if (attr.startsWith('xmlns:')) {
        if (inner === scope) inner = new Map(scope);
        inner.set(attr.slice(6), value);
      }
    }
    const colon = name.indexOf(':');
    let namespace = ns;
    if (colon >= 0) {
      const bound = inner.get(name.slice(0, colon));
      if (bound === undefined) throw xmlError(`prefix ${name.slice(0, colon)} is not declared`, start);
      namespace = bound;
    }
    const el: XmlElement = { name, localName: name.slice(colon + 1), namespace, attributes, children: [], text: '' };
    if (this.s[this.i] === '/') {
      if (this.s[this.i + 1] !== '>') throw xmlError(`expected "/>" in <${name}>`, this.i);
      this.i += 2;
      return el;
    }
    this.i++; // ">"
    this.content(el, inner, ns, depth);
    return el;
  }

  private content(el: XmlElement, scope: Map<string, string>, ns: string | null, depth: number): void {
    for (;;) {
      const lt = this.s.indexOf('<', this.i);
      if (lt < 0) throw xmlError(`<${el.name}> is not closed`, this.s.length);
      el.text += this.decode(this.s.slice(this.i, lt), this.i);
      this.i = lt;
      if (this.s.startsWith('</', lt)) {
        this.i += 2;
        const closing = this.name();
        if (closing !== el.name) throw xmlError(`</${closing}> closes <${el.name}>`, lt);
        this.space();
        if (this.s[this.i] !== '>') throw xmlError(`expected ">" after </${closing}`, this.i);
        this.i++;
        return;
      }
      if (this.s.startsWith('<!--', lt)) this.comment();
      else if (this.s.startsWith('<![CDATA[', lt)) {
        const end = this.s.indexOf(']]>', lt + 9);
        if (end < 0) throw xmlError('unterminated CDATA section', lt);
        el.text += this.s.slice(lt + 9, end);
        this.i = end + 3;
      } else if (this.s.startsWith('<?', lt)) this.pi();
      else if (this.s.startsWith('<!', lt)) throw xmlError('markup declarations are not accepted', lt);
      else el.children.push(this.element(scope, ns, depth + 1));
    }
  }
}

/**
 * Parses a document and returns its root element. Throws MsrpParseError
 * (code MSRP_ERR_XML, statusCode 400) on malformed input, a DOCTYPE, or input
 * beyond the limits.
 */
export function parseXml(input: string | Buffer, limits: XmlLimits = {}): XmlElement {
  const maxLength = limits.maxLength ?? 65536;
  if (input.length > maxLength) throw xmlError(`document longer than ${maxLength}`, maxLength);
  const text = typeof input === 'string' ? input : input.toString('utf8');
  return new Reader(text, limits.maxDepth ?? 32, limits.maxElements ?? 1024).document();
}

/** The first child element in namespace `namespace` named `localName`, or undefined. */
export function childElement(el: XmlElement, namespace: string | null, localName: string): XmlElement | undefined {
  return el.children.find((c) => c.namespace === namespace && c.localName === localName);
}
