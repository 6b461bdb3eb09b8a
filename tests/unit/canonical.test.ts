/** canonicalJson is RFC 8785: it must agree with the reference `canonicalize` package everywhere. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, isCanonicalJsonText, referenceCanonicalize } from '../../src/engine/hash.js';

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
    expect(canonicalJson({ '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ud83d\ude00': 'Emoji', '1': 'One', '\u0080': 'Control', '\u00f6': 'Latin' })).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin","€":"Euro Sign","😀":"Emoji"}',
    );
    expect(canonicalJson([1e21, 1e-7, -0, 0.000001, 333333333.3333333])).toBe('[1e+21,1e-7,0,0.000001,333333333.3333333]');
    expect(canonicalJson({ b: undefined, a: [undefined] })).toBe('{"a":[null]}');
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson({ title: 'x\ud83dy' })).toThrow(/lone surrogate/);
    expect(() => canonicalJson({ ['\udc00']: 1 })).toThrow(/lone surrogate/);
  });
});

/** The definition isCanonicalJsonText must agree with. */
function definition(text: string): boolean {
  try {
    return canonicalJson(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

/** Re-serializes a value with its object keys in reverse order (same value, other bytes). */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value && typeof value === 'object') {
    const out = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(value).reverse()) out[k] = reversedKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

describe('isCanonicalJsonText', () => {
  it('accepts every canonical serialization', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        expect(isCanonicalJsonText(canonicalJson(value))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with canonicalJson(JSON.parse(text)) === text on other spellings of the same values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.constantFrom(0, 1, 2), (value, variant) => {
        const texts = [JSON.stringify(value), JSON.stringify(value, null, variant || undefined), JSON.stringify(reversedKeys(value))];
        for (const t of texts) expect(isCanonicalJsonText(t)).toBe(definition(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the definition on mutated canonical texts and arbitrary strings', () => {
    const mutated = fc.tuple(fc.jsonValue({ maxDepth: 4 }), fc.nat(), fc.string({ unit: 'binary', maxLength: 3 }), fc.nat(3)).map(([v, at, insert, del]) => {
      const t = canonicalJson(v);
      const p = t.length ? at % t.length : 0;
      return t.slice(0, p) + insert + t.slice(p + del);
    });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string({ unit: 'binary', maxLength: 40 })), (t) => {
        expect(isCanonicalJsonText(t)).toBe(definition(t));
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses the near misses one by one', () => {
    const misses = [
      '{"a":1,"a":2}',
      '{"b":1,"a":2}',
      '{ "a":1}',
      '[1, 2]',
      '-0',
      '1.0',
      '1E2',
      '1e21',
      '01',
      '+1',
      String.raw`"\/"`,
      String.raw`"\u001F"`,
      String.raw`"\u000a"`,
      String.raw`"\u0041"`,
      String.raw`"\ud800"`,
      String.raw`"\ud83d\ude00"`,
      String.raw`"\x"`,
      'nul',
      'truex',
      '',
      ' 1',
      '1 ',
      '{"a":}',
      '[1,]',
      '"a\u0001"',
      '"\ud800"',
    ];
    for (const t of misses) {
      expect(isCanonicalJsonText(t), t).toBe(false);
      expect(definition(t), t).toBe(false);
    }
    const hits = [
      '{}',
      '[]',
      '0',
      '-1',
      '1e+21',
      '1e-7',
      '0.000001',
      String.raw`"\u001f"`,
      String.raw`"\n"`,
      '"\u007f"',
      '{"":1,"a":[true,false,null]}',
      '"😀"',
    ];
    for (const t of hits) {
      expect(isCanonicalJsonText(t), t).toBe(true);
      expect(definition(t), t).toBe(true);
    }
  });
});
