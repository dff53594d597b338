import { isRecord } from './isRecord.js';
import type { PreprocessingData } from './textPlan.js';
import { topologyLayers } from './topologyLayers.js';

/**
 * Why a model that reads token ids would be fed a bag-of-words row, or null when it would not.
 * A model whose first layer is an Embedding takes ids; tokenizer.json alone (binary
 * texts_to_matrix), `texts_to_matrix`, `word_index` + `sequences_to_matrix` and a non-`int`
 * TextVectorization make count-like rows instead. When the widths happen to agree (maxlen ==
 * num_words) the model would answer without an error, on the wrong features: so the padding is
 * declared, never guessed (Keras pads "pre", many tutorials "post").
 *
 * @example
 * matrixIntoEmbedding(embeddingTopology, null, tokenizerJson)
 * // 'tokenizer.json without preprocessing.json gives a binary bag of words (texts_to_matrix)'
 */
export function matrixIntoEmbedding(topology: object, preprocessing: PreprocessingData | null, tokenizerJson: string): string | null {
  const first = topologyLayers(topology).find((l) => isRecord(l) && l.class_name !== 'InputLayer');
  if (!isRecord(first) || first.class_name !== 'Embedding') return null;
  if (preprocessing === null) return tokenizerJson === '' ? null : 'tokenizer.json without preprocessing.json gives a binary bag of words (texts_to_matrix)';
  const { spec } = preprocessing;
  if (spec.kind === 'texts_to_matrix') return `texts_to_matrix (mode ${spec.mode}) gives a bag-of-words row`;
  if (spec.kind === 'word_index' && spec.matrix !== null) return `sequences_to_matrix (mode ${spec.matrix.mode}) gives a bag-of-words row`;
  if (spec.kind === 'text_vectorization' && spec.config.outputMode !== 'int') return `text_vectorization output_mode ${spec.config.outputMode} gives a row of ${spec.config.outputMode} values, not ids`;
  return null;
}
