/** canonicalJson is RFC 8785: it must agree with the reference `canonicalize` package everywhere. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, referenceCanonicalize } from '../../src/engine/hash.js';

describe('canonicalJson', () => {
  it('agrees with the reference implementation on arbitrary JSON (unicode keys, numbers, nesting)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        expect(canonicalJson(value)).toBe(referenceCanonicalize(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('sorts keys by UTF-16 code units and uses ECMAScript number forms (RFC 8785 examples)', () => {
    expect(canonicalJson({ '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ud83d\ude00': 'Emoji', '1': 'One', '\u0080': 'Control', '\u00f6': 'Latin' }))
      .toBe('{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin","€":"Euro Sign","😀":"Emoji"}');
    expect(canonicalJson([1e21, 1e-7, -0, 0.000001, 333333333.3333333])).toBe('[1e+21,1e-7,0,0.000001,333333333.3333333]');
    expect(canonicalJson({ b: undefined, a: [undefined] })).toBe('{"a":[null]}');
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson({ title: 'x\ud83dy' })).toThrow(/lone surrogate/);
    expect(() => canonicalJson({ ['\udc00']: 1 })).toThrow(/lone surrogate/);
  });
});
