import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Tf } from '../../src/model/backend.js';
import { fileIOHandler } from '../../src/model/ioHandlers.js';
import { Tokenizer } from '../../src/model/tokenizer.js';

export const TINY_TEXTS = ['oil prices rose', 'wheat and corn exports', 'oil and gas output rose', 'the bank cut rates'];
export const TINY_LABELS = ['crude', 'grain', 'money-fx'];
export const TINY_WIDTH = 8;

/**
 * Writes a small, valid model version directory (8 inputs, 3 classes, random weights) with
 * the same files training writes, for load and predict tests.
 */
export async function writeTinyModel(tf: Tf, dir: string): Promise<void> {
  const model = tf.sequential({ name: 'tiny' });
  model.add(tf.layers.dense({ name: 'dense', units: 4, activation: 'relu', inputShape: [TINY_WIDTH] }));
  model.add(tf.layers.dropout({ name: 'dropout', rate: 0.5 }));
  model.add(tf.layers.dense({ name: 'dense_1', units: TINY_LABELS.length, activation: 'softmax' }));
  await model.save(fileIOHandler(dir));
  model.dispose();
  const tokenizer = new Tokenizer({ numWords: TINY_WIDTH });
  tokenizer.fitOnTexts(TINY_TEXTS);
  await writeFile(path.join(dir, 'tokenizer.json'), tokenizer.toJSON());
  await writeFile(path.join(dir, 'labels.json'), JSON.stringify(TINY_LABELS));
  await writeFile(path.join(dir, 'metadata.json'), JSON.stringify({ name: 'tiny', testAccuracy: 0.5 }));
}
