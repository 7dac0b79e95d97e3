import { hasUnstorable, storableJson, storableText } from './storable-text';

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
});
