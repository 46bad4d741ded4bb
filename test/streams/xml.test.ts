import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { childElement, escapeXml, parseXml } from '../../src/streams/xml.ts';
import { rfc } from '../vectors/rfc-vectors.ts';
import { rejectsWith } from './helpers.ts';

const rejects = (input: string, part: string, limits = {}) => rejectsWith(() => parseXml(input, limits), 'MSRP_ERR_XML', part, 400);

const Xml = suite('xml reader');

Xml('the RFC 3994 §5 example: declaration, namespaces, attributes across lines', () => {
  const root = parseXml(rfc('rfc3994-5-iscomposing-active.xml'));
  assert.is(root.localName, 'isComposing');
  assert.is(root.namespace, 'urn:ietf:params:xml:ns:im-iscomposing');
  assert.is(root.attributes.get('xsi:schemaLocation'), 'urn:ietf:params:xml:ns:im-composing\r\niscomposing.xsd');
  assert.equal(root.children.map((c) => [c.localName, c.namespace, c.text]), [
    ['state', 'urn:ietf:params:xml:ns:im-iscomposing', 'active'],
    ['contenttype', 'urn:ietf:params:xml:ns:im-iscomposing', 'text/plain'],
    ['refresh', 'urn:ietf:params:xml:ns:im-iscomposing', '90'],
  ]);
  assert.is(childElement(root, 'urn:ietf:params:xml:ns:im-iscomposing', 'refresh')?.text, '90');
  assert.is(childElement(root, null, 'refresh'), undefined);
});

Xml('prefixes, default namespace reset, references, CDATA, comments, PIs, BOM, empty elements', () => {
  const root = parseXml('\uFEFF<?xml version="1.0"?><!-- c --><p:a xmlns:p="urn:p" x=\'1 &amp; 2\'>t&lt;&#65;&#x42;<![CDATA[<raw>&amp;]]>'
    + '<?pi x?><!-- in --><b xmlns="urn:d"><c/></b><d xmlns=""/><p:e /></p:a >\n');
  assert.is(root.namespace, 'urn:p');
  assert.is(root.attributes.get('x'), '1 & 2');
  assert.is(root.text, 't<AB<raw>&amp;');
  assert.equal(root.children.map((c) => [c.name, c.namespace]), [['b', 'urn:d'], ['d', null], ['p:e', 'urn:p']]);
  assert.is(root.children[0].children[0].namespace, 'urn:d');
  assert.is(escapeXml('<a href="x">&\'</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
});

Xml('refuses DOCTYPE (no entity expansion), malformed markup and oversized input', () => {
  rejects('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', 'document type');
  rejects('<x><!ENTITY a "b"></x>', 'markup declarations');
  rejects('<x>&a;</x>', 'unknown reference');
  rejects('<x>&#0;</x>', 'unknown reference');
  rejects('<x>a & b</x>', 'not followed by a reference');
  rejects('<x>', 'not closed');
  rejects('<x></y>', 'closes <x>');
  rejects('<x a="1" a="2"/>', 'appears twice');
  rejects('<x a=1/>', 'must be quoted');
  rejects('<x a="1/>', 'unterminated value');
  rejects('<x a="<"/>', '"<" in value');
  rejects('<x a/>', 'expected "="');
  rejects('<x a="1"b="2"/>', 'expected whitespace');
  rejects('<x/ >', 'expected "/>"');
  rejects('<p:x/>', 'not declared');
  rejects('text', 'expected the root element');
  rejects('<x/><y/>', 'content after the root element');
  rejects('<x><!-- open</x>', 'unterminated comment');
  rejects('<x><![CDATA[ open</x>', 'unterminated CDATA');
  rejects('<?pi', 'unterminated processing instruction');
  rejects('< x/>', 'expected a name');
  rejects('<x></x', 'expected ">"');
  rejects('<a><a><a/></a></a>', 'nesting deeper than 2', { maxDepth: 2 });
  rejects('<a><b/><c/></a>', 'more than 2 elements', { maxElements: 2 });
  rejects(`<a>${'x'.repeat(100)}</a>`, 'longer than 50', { maxLength: 50 });
});

Xml.run();
