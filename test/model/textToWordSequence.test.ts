import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FILTERS, textToWordSequence } from '../../src/model/textToWordSequence.js';

// Expected values are what Keras 2.x text_to_word_sequence returns (checked by hand against its
// source: lower(), translate(filters -> split), split(split), drop empties).
describe('textToWordSequence', () => {
  it('lower-cases, filters punctuation and drops empty tokens', () => {
    assert.deepEqual(textToWordSequence('Hello, World!!  How are-you?'), ['hello', 'world', 'how', 'are', 'you']);
  });

  it('treats every default filter character as a separator', () => {
    const text = [...DEFAULT_FILTERS].map((c, i) => `w${i}${c}`).join('');
    assert.deepEqual(textToWordSequence(text), [...DEFAULT_FILTERS].map((_, i) => `w${i}`));
  });

  it("keeps the apostrophe, '\\r' and the non-breaking space inside words", () => {
    assert.deepEqual(textToWordSequence("It's\r\nU.S\u00a0dlrs"), ["it's\r", 'u', 's\u00a0dlrs']);
  });

  it('splits on the split character only, not on other whitespace', () => {
    assert.deepEqual(textToWordSequence('a\u2003b  c\fd'), ['a\u2003b', 'c\fd']);
  });

  it('returns no tokens for empty or separator-only text', () => {
    assert.deepEqual(textToWordSequence(''), []);
    assert.deepEqual(textToWordSequence(' ,.;\n\t '), []);
  });

  it('honours lower=false, custom filters and a custom split', () => {
    assert.deepEqual(textToWordSequence('A-b C', { lower: false }), ['A', 'b', 'C']);
    assert.deepEqual(textToWordSequence('a-b c', { filters: '' }), ['a-b', 'c']);
    assert.deepEqual(textToWordSequence('a,b;c d', { split: ',' }), ['a', 'b', 'c d']);
  });

  it('lower-cases before filtering, so an upper-case filter character has no effect', () => {
    // Keras: text.lower() first, then translate; "X" never survives to be filtered.
    assert.deepEqual(textToWordSequence('aXb', { filters: 'X' }), ['axb']);
    assert.deepEqual(textToWordSequence('axb', { filters: 'x' }), ['a', 'b']);
  });

  it('follows the literal algorithm for a multi-character split', () => {
    // Python: "x!y ab z".translate({'!': 'ab'}).split('ab') == ['x', 'y ', ' z']
    assert.deepEqual(textToWordSequence('x!y ab z', { split: 'ab', filters: '!' }), ['x', 'y ', ' z']);
  });

  it('handles astral filter characters by code point', () => {
    assert.deepEqual(textToWordSequence('a😀b', { filters: '😀' }), ['a', 'b']);
  });

  it('rejects an empty split, as Python does', () => {
    assert.throws(() => textToWordSequence('a b', { split: '' }), { code: 'ERR_MODEL_INVALID' });
  });
});
