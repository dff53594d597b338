import { reutersTestSplit } from '../../src/train/dataset.js';
import { fitForGet } from './getText.js';

/**
 * The first `count` non-empty texts of the Reuters test split (`npm run train` held them out;
 * `seed` as given to training, its default when not), each cut to fit a GET /predict?text=
 * for both mlserve and the uWSGI peer.
 */
export function reutersGetTexts(count: number, seed?: number): string[] {
  const { texts } = reutersTestSplit(seed);
  const fitted = texts.map((text) => fitForGet(text)).filter((text) => text.trim() !== '');
  if (fitted.length < count) throw new Error(`the Reuters test split has ${fitted.length} usable texts, ${count} wanted`);
  return fitted.slice(0, count);
}
