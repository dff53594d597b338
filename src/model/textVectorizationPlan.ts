import { MlserveError } from '../errors.js';
import type { TextVectorizationConfig } from './textVectorizationConfig.js';

/** Texts in, the model's input rows out (the TextPlan contract of textPlan.ts). */
interface Plan {
  readonly width: number;
  matrix(texts: readonly string[]): Float32Array;
}

// Keras's strip regex r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']' (text_vectorization.py
// _preprocess); its `,-\.` is the range , - . and every member is ASCII.
const STRIP = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;
// tf.strings.split(x) without sep: runs of ASCII whitespace (TF's str_util, byte-wise isspace),
// so U+00A0 and other Unicode spaces are part of a token.
const WHITESPACE = /[ \t\n\v\f\r]+/;
// Python's str.splitlines, which Keras's load_assets uses to read vocabulary.txt.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/**
 * A vocabulary file's lines as Keras's IndexLookup.load_assets reads vocabulary.txt:
 * `f.read().splitlines()`, trailing empty lines dropped (the leading '' mask token kept).
 */
export function vocabularyLines(text: string): string[] {
  const lines = text.split(LINE_BREAK);
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * TextVectorization's standardize, split and ngrams: the tokens of one text. `lower` is
 * tf.strings.lower's default, ASCII only ("ÉCOLE" -> "École"); ngrams are joined by a space,
 * every width in order (all unigrams, then all bigrams, ...), as tf.strings.ngrams does.
 */
export function textVectorizationTokens(text: string, c: Pick<TextVectorizationConfig, 'standardize' | 'split' | 'ngrams'>): string[] {
  let s = text;
  if (c.standardize === 'lower' || c.standardize === 'lower_and_strip_punctuation') s = s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  if (c.standardize === 'strip_punctuation' || c.standardize === 'lower_and_strip_punctuation') s = s.replace(STRIP, '');
  const tokens = c.split === 'whitespace' ? s.split(WHITESPACE).filter((t) => t.length > 0) : c.split === 'character' ? Array.from(s) : [s];
  if (c.ngrams === null) return tokens;
  const widths = typeof c.ngrams === 'number' ? Array.from({ length: c.ngrams }, (_, i) => i + 1) : c.ngrams;
  const out: string[] = [];
  for (const n of widths) {
    // A loop, not push(...tokens): spreading passes every token as an argument (RangeError past ~125k).
    if (n === 1) for (const t of tokens) out.push(t);
    else for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(' '));
  }
  return out;
}

/**
 * The plan of a TextVectorization: its config, its vocabulary (get_vocabulary() with the special
 * tokens '' and '[UNK]' first for int, '[UNK]' for the other modes, or without them, as
 * set_vocabulary takes it) and, for tf_idf, the idf weights variable Keras saved (one per output
 * column). Checks what IndexLookup.set_vocabulary checks. Throws MlserveError ERR_MODEL_INVALID.
 */
export function textVectorizationPlan(c: TextVectorizationConfig, vocabulary: readonly string[], savedIdf: readonly number[] | null = null): Plan {
  const bad = (problem: string): never => {
    throw new MlserveError('ERR_MODEL_INVALID', `text_vectorization: ${problem}`);
  };
  const int = c.outputMode === 'int';
  // index_lookup.py: _oov_start_index() is 1 with a mask token in int mode, else 0; one OOV index.
  const special = int ? ['', '[UNK]'] : ['[UNK]'];
  const foundSpecial = vocabulary.length >= special.length && special.every((t, i) => vocabulary[i] === t);
  const tokens = foundSpecial ? vocabulary.slice(special.length) : vocabulary;
  if (vocabulary.length === 0) bad('the vocabulary is empty');
  const ids = new Map<string, number>();
  const repeated = new Set<string>();
  tokens.forEach((t, i) => {
    if (ids.has(t)) repeated.add(t);
    ids.set(t, i + special.length);
  });
  if (repeated.size > 0) bad(`the vocabulary repeats ${[...repeated].slice(0, 5).map((t) => JSON.stringify(t)).join(', ')}`);
  if (ids.has('')) bad(`the mask token '' is inside the vocabulary (line ${ids.get('')! + 1 - (foundSpecial ? 0 : special.length)}); special tokens go first, in this order: ${JSON.stringify(special)}`);
  const size = special.length + tokens.length;
  if (c.maxTokens !== null && size > c.maxTokens) bad(`the vocabulary has ${size} entries with its special tokens, more than max_tokens ${c.maxTokens}`);
  if (c.vocabularySize != null && c.vocabularySize !== size) bad(`the vocabulary has ${size} entries with its special tokens, but the layer was saved with vocabulary_size ${c.vocabularySize}`);
  const oov = int ? 1 : 0;
  // The mask token '' (an empty text with split=None) is id 0 in int mode and dropped otherwise.
  const MASK = -1;
  const idsOf = (text: string) => textVectorizationTokens(text, c).map((t) => (t === '' ? (int ? 0 : MASK) : (ids.get(t) ?? oov)));
  if (int) {
    // Cut to the first output_sequence_length ids, post-padded with 0 (text_vectorization.py call).
    const len = c.outputSequenceLength!;
    return {
      width: len,
      matrix(texts) {
        const out = new Float32Array(texts.length * len);
        texts.forEach((t, r) => idsOf(t).slice(0, len).forEach((id, i) => (out[r * len + i] = id)));
        return out;
      },
    };
  }
  const width = c.padToMaxTokens && c.maxTokens !== null ? c.maxTokens : size;
  const idf = c.outputMode === 'tf_idf' ? Float32Array.from(idfWeights(c, vocabulary.length, foundSpecial, special.length, width, savedIdf, bad)) : null;
  return {
    width,
    matrix(texts) {
      const out = new Float32Array(texts.length * width);
      texts.forEach((t, r) => {
        const base = r * width;
        for (const id of idsOf(t)) if (id >= 0) out[base + id] = c.outputMode === 'multi_hot' ? 1 : out[base + id]! + 1;
        if (idf) for (let j = 0; j < width; j++) out[base + j] = out[base + j]! * idf[j]!;
      });
      return out;
    },
  };
}

/**
 * tf_idf's weights, one per output column: the saved variable as is, or the constructor's
 * idf_weights padded as IndexLookup.set_vocabulary pads them (the mean in front for the OOV
 * column when the vocabulary had no special tokens, zeros behind up to max_tokens).
 */
function idfWeights(c: TextVectorizationConfig, given: number, foundSpecial: boolean, front: number, width: number, saved: readonly number[] | null, bad: (p: string) => never): readonly number[] {
  if (saved !== null) {
    if (saved.length !== width) bad(`the saved idf_weights have ${saved.length} values, the output has ${width} columns`);
    return saved;
  }
  const w = c.idfWeights;
  if (!w) return bad('output_mode "tf_idf" needs idf_weights (the model file saves them as a variable; preprocessing.json: in the config)');
  if (w.length !== given) bad(`idf_weights has ${w.length} values for a vocabulary of ${given}`);
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  const padded = [...(foundSpecial ? [] : Array<number>(front).fill(mean)), ...w];
  while (padded.length < width) padded.push(0);
  if (padded.length !== width) bad(`idf_weights give ${padded.length} columns, the output has ${width}`);
  return padded;
}
