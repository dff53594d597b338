import path from 'node:path';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { MlserveError } from '../errors.js';
import { bundleIOHandler } from './ioHandlers.js';
import { MODEL_JSON } from './modelArtifacts.js';
import type { ModelBundle } from './bundle.js';
import type { Tf } from './backend.js';
import { Tokenizer } from './tokenizer.js';
import { registerKerasCompat } from './kerasCompatLayers.js';
import { argmaxRows, type BatchPrediction } from './outputDecoding.js';


/** A model ready to serve, with its tokenizer. Synchronous: one worker thread runs one at a time. */
export interface Predictor {
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly tokenizer: Tokenizer;
  /** Tokenize, binary bag of words, one `model.predict`, argmax per row. */
  predictBatch(texts: readonly string[]): BatchPrediction;
  /** Softmax rows (`rows x outputWidth`) for a row-major `rows x inputWidth` input. */
  forward(matrix: Float32Array, rows: number): Float32Array;
  /** Full output rows (`texts.length x outputWidth`) of texts. */
  predictRows(texts: readonly string[]): Float32Array;
  /** One prediction, so the first request does not pay for kernel set-up. */
  warmUp(): void;
  /** Frees the model's weight tensors. */
  dispose(): void;
}

/**
 * Builds the layers model of a bundle (no disk) and checks its real shapes against the tokenizer
 * and labels: ERR_MODEL_INVALID naming model.json when they disagree. The model is disposed.
 */
export async function validateModel(bundle: ModelBundle, tf: Tf): Promise<void> {
  const model = await buildModel(bundle, tf);
  model.dispose();
}

/**
 * Creates the predictor a worker serves with. `tf` is the one selectBackend returned.
 *
 * @example
 * const { tf } = await selectBackend('auto');
 * const predictor = await createPredictor(bundle, tf);
 * const { classes, probs } = predictor.predictBatch(['oil prices rose']);
 * bundle.labels[classes[0]!] // "crude"
 */
export async function createPredictor(bundle: ModelBundle, tf: Tf): Promise<Predictor> {
  const tokenizer = Tokenizer.fromJSON(bundle.tokenizerJson === '' ? '{"word_index": "{}", "num_words": ' + bundle.inputWidth + '}' : bundle.tokenizerJson);
  const model = await buildModel(bundle, tf);
  const { inputWidth, outputWidth } = bundle;

  function forward(matrix: Float32Array, rows: number): Float32Array {
    if (matrix.length !== rows * inputWidth) {
      throw new MlserveError('ERR_TENSOR_SHAPE', `input has ${matrix.length} values, expected ${rows} x ${inputWidth}`);
    }
    if (rows === 0) return new Float32Array(0);
    const y = tf.tidy(() => model.predict(tf.tensor(matrix, [rows, ...bundle.inputShape])) as Tensor);
    try {
      return y.dataSync() as Float32Array;
    } finally {
      y.dispose();
    }
  }

  function predictRows(texts: readonly string[]): Float32Array {
    return forward(tokenizer.textsToMatrix(texts, 'binary'), texts.length);
  }

  function predictBatch(texts: readonly string[]): BatchPrediction {
    return argmaxRows(predictRows(texts), outputWidth);
  }

  return {
    inputWidth,
    outputWidth,
    tokenizer,
    predictBatch,
    predictRows,
    forward,
    warmUp: function warmUp() {
      predictBatch(['warm up']);
    },
    dispose: function dispose() {
      model.dispose();
    },
  };
}

async function buildModel(bundle: ModelBundle, tf: Tf): Promise<LayersModel> {
  const file = path.join(bundle.dir, MODEL_JSON);
  let model: LayersModel;
  registerKerasCompat(tf);
  try {
    model = await tf.loadLayersModel(bundleIOHandler(bundle));
  } catch (err) {
    throw new MlserveError('ERR_MODEL_INVALID', `${file}: tfjs cannot build the model (${(err as Error).message})`, { cause: err });
  }
  const input = model.inputs[0]?.shape;
  const output = model.outputs[0]?.shape;
  const problem =
    model.inputs.length !== 1 || model.outputs.length !== 1
      ? `the model must have one input and one output, it has ${model.inputs.length} and ${model.outputs.length}`
      : input === undefined || JSON.stringify(input.slice(1)) !== JSON.stringify(bundle.inputShape)
        ? `model input shape ${JSON.stringify(input)} does not match [null, ${bundle.inputShape.join(', ')}] (the tokenizer's num_words or the preprocessing's row width)`
        : output?.length !== 2 || output[1] !== bundle.outputWidth
          ? `model output shape ${JSON.stringify(output)} does not match the ${bundle.outputWidth} labels`
          : null;
  if (problem !== null) {
    model.dispose();
    throw new MlserveError('ERR_MODEL_INVALID', `${file}: ${problem}`);
  }
  return model;
}
