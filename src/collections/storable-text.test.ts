import fc from 'fast-check';
import { hasUnstorable, storableJson, storableJsonText, storableText } from './storable-text';

describe('text the database can store', () => {
  it('finds NUL and unpaired surrogates, and nothing else', () => {
    for (const text of ['a\u0000b', '\ud800', 'x\udc00y', '\ud800\ud800\udc00']) expect({ text, found: hasUnstorable(text) }).toEqual({ text, found: true });
    for (const text of ['', 'Dock Rd', '\ud83d\ude00 paid', '\ufffd', 'café']) expect({ text, found: hasUnstorable(text) }).toEqual({ text, found: false });
  });

  it('removes NUL, replaces a lone surrogate by U+FFFD, keeps pairs', () => {
    expect(storableText('12\u0000 Dock\ud800 Rd \udc00\ud83d\ude00')).toBe('12 Dock\ufffd Rd \ufffd\ud83d\ude00');
  });

  it('cleans every string and key of a JSON value, leaving the rest as it was', () => {
    expect(storableJson({ 'Bill\u0000Addr': { Line1: 'a\u0000', Lines: ['\ud800', 3, null, true] }, Balance: 5 })).toEqual({ BillAddr: { Line1: 'a', Lines: ['\ufffd', 3, null, true] }, Balance: 5 });
  });

  it('writes a value\'s JSON text once, and cleans it only when the text shows something to clean', () => {
    const plain = { Id: '7', Line1: '12 Dock Rd \ud83d\ude00', Note: 'a backslash: \\ and a quote: "' };
    const written = storableJsonText(plain);
    expect(written.value).toBe(plain);
    expect(written.json).toBe(JSON.stringify(plain));
    const dirty = { 'Bill\u0000Addr': { Line1: 'a\u0000', Lines: ['\ud800', 3] } };
    expect(storableJsonText(dirty)).toEqual({ value: { BillAddr: { Line1: 'a', Lines: ['\ufffd', 3] } }, json: '{"BillAddr":{"Line1":"a","Lines":["\ufffd",3]}}' });
    // A user who typed the letters "\u0000" loses nothing: the slower path finds nothing to clean.
    const typed = { Notes: 'escape: \\u0000 \\uD800' };
    expect(storableJsonText(typed)).toEqual({ value: typed, json: JSON.stringify(typed) });
  });

  it('agrees with the walk over every string for any JSON value', () => {
    const text = fc.string({ unit: fc.constantFrom('a', ' ', '\\', 'u', '0', 'd', '8', '\u0000', '\ud800', '\udc00', '\ud83d\ude00', '"', 'é') });
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(text, tie('value'), { maxKeys: 4 })),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        const written = storableJsonText(value);
        expect(written.value).toEqual(storableJson(value));
        expect(written.json).toBe(JSON.stringify(storableJson(value)));
        expect(hasUnstorable(written.json)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
