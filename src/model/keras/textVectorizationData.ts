import { MlserveError } from '../../errors.js';
import { invalid } from '../modelArtifacts.js';
import { PreprocessingError } from '../preprocessingError.js';
import { createTextPlan, type PreprocessingData } from '../textPlan.js';
import { parseTextVectorizationConfig, type TextVectorizationConfig } from '../textVectorizationConfig.js';
import { vocabularyLines } from '../textVectorizationPlan.js';
import type { FoundTextVectorization } from './findTextVectorization.js';
import type { H5File } from './h5File.js';
import { refuse } from './refuse.js';

/**
 * The preprocessing a `.keras` file's TextVectorization layer amounts to, as saved by Keras's
 * saving_lib: the layer's get_config(); its vocabulary from the config (given to the constructor)
 * or else the asset IndexLookup.save_assets wrote, `assets/layers/text_vectorization/vocabulary.txt`
 * (get_vocabulary() with its special tokens, '\n'-joined); tf_idf's weights from the variable
 * IndexLookup.save_own_variables wrote, `layers/text_vectorization/vars/idf_weights`. The
 * StringLookup inside the layer saves the same again under `_lookup_layer/`, read when the first
 * is absent. Returns the data and the plan's row width; refuses what mlserve cannot run.
 */
export function textVectorizationData(found: FoundTextVectorization, assets: ReadonlyMap<string, Buffer>, h5: H5File, file: string): { data: PreprocessingData; width: number } {
  const where = `layer ${found.name} (TextVectorization)`;
  let config: TextVectorizationConfig;
  try {
    config = parseTextVectorizationConfig(found.config);
  } catch (err) {
    if (err instanceof PreprocessingError) return refuse(file, `${where}: ${err.message.replace(/^text_vectorization\./, '')}`, 'rebuild the layer with the options docs/model.md lists and save the model again');
    throw err;
  }
  const data: PreprocessingData = { spec: { kind: 'text_vectorization', config, vocabulary: null, layer: `${file} layer ${found.name}` } };
  if (!config.vocabulary) {
    const candidates = [`assets/${found.path}/vocabulary.txt`, `assets/${found.path}/_lookup_layer/vocabulary.txt`];
    const hit = candidates.find((c) => assets.has(c));
    if (hit === undefined) return invalid(file, `${where} has no vocabulary: neither its config nor ${candidates[0]} holds one (was the layer adapted before saving?)`);
    data.spec = { ...data.spec, vocabulary: `${file}:${hit}` } as PreprocessingData['spec'];
    data.vocabulary = vocabularyLines(assets.get(hit)!.toString('utf8'));
  }
  if (config.outputMode === 'tf_idf') {
    const idf = [`${found.path}/vars`, `${found.path}/_lookup_layer/vars`].find((g) => (h5.keys(g) ?? []).includes('idf_weights'));
    if (idf !== undefined) {
      const saved = h5.attrString(idf, 'name');
      if (idf === `${found.path}/vars` && saved !== undefined && saved !== found.name) {
        return invalid(h5.label, `${idf} holds the variables of layer ${saved}, but the config puts layer ${found.name} there`);
      }
      data.idfWeights = Array.from(h5.readFloat32(`${idf}/idf_weights`).data);
    }
  }
  try {
    return { data, width: createTextPlan(data).width };
  } catch (err) {
    if (err instanceof MlserveError) return invalid(file, `${where}: ${err.message.replace(/^text_vectorization: /, '')}`, err);
    throw err;
  }
}
