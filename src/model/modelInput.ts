import { MlserveError } from '../errors.js';

/**
 * One request's input, as every protocol hands it to the dispatcher: texts the model's
 * preprocessing turns into rows in the worker, or rows the client already computed (TF Serving's
 * `instances`), `rows x inputSize` floats, row-major. Plain data: it crosses to a worker thread
 * as it is (the tensor's buffer is copied, texts are strings).
 *
 * @example
 * dispatcher.submit({ kind: 'text', texts: ['oil prices rose'] });
 * dispatcher.submit({ kind: 'tensor', rows: 2, values: new Float32Array(2 * 300) }, { scores: true });
 */
export type ModelInput = { kind: 'text'; texts: string[] } | { kind: 'tensor'; rows: number; values: Float32Array };

/** Per-request options of `Dispatcher.submit`. */
export interface SubmitOptions {
  /** Answer the full output vector of every row (`RequestResult.scores`), not only the top class. */
  scores?: boolean;
  /**
   * When the answer stops being useful, in the dispatcher's clock (performance.now() ms): a
   * request still queued then is answered 504 ERR_DEADLINE_EXCEEDED at once and never runs.
   */
  deadline?: number;
  /** Queue priority: higher is dequeued first; default 0 (FIFO within a level). */
  priority?: number;
}

/** What a served model takes: text (it has preprocessing) and/or rows of `inputSize` floats. */
export interface InputSignature {
  /** The model has a preprocessing plan, so `kind: 'text'` inputs can be served. */
  text: boolean;
  /** Floats per row of a tensor input (the product of the model input's non-batch dimensions). */
  inputSize: number;
  /** Shown in errors: `reuters v1`. */
  model: string;
}

/** Rows of an input: one per text, or `rows`. */
export function inputRows(input: ModelInput): number {
  return input.kind === 'text' ? input.texts.length : input.rows;
}

/**
 * Throws the 400 a client gets for an input the model cannot take: text for a model without
 * preprocessing (ERR_TEXT_UNSUPPORTED), a tensor whose values are not `rows x inputSize`
 * (ERR_TENSOR_SHAPE). Pure; the dispatcher calls it before queueing.
 */
export function checkInput(input: ModelInput, signature: InputSignature): void {
  if (input.kind === 'text') {
    if (!signature.text) {
      throw new MlserveError(
        'ERR_TEXT_UNSUPPORTED',
        `model ${signature.model} takes a numeric tensor of ${signature.inputSize} values per row and has no preprocessing.json, so it cannot read text; ` +
          `send rows to the tensor API (POST /v1/models/<name>:predict with {"instances": [[...], ...]}) or add a preprocessing.json (docs/model.md)`,
      );
    }
    return;
  }
  if (!Number.isInteger(input.rows) || input.rows < 1 || input.values.length !== input.rows * signature.inputSize) {
    throw new MlserveError(
      'ERR_TENSOR_SHAPE',
      `model ${signature.model} takes rows of ${signature.inputSize} values; got ${input.values.length} values for ${input.rows} row(s)`,
    );
  }
}

/**
 * The inputs of one batch as one input of their kind (all must share it: the dispatcher batches
 * only requests of one kind together). A single input is returned as it is, without a copy.
 */
export function joinInputs(inputs: readonly ModelInput[]): ModelInput {
  const first = inputs[0];
  if (first === undefined) return { kind: 'text', texts: [] };
  if (inputs.length === 1) return first;
  if (first.kind === 'text') {
    const texts: string[] = [];
    for (const input of inputs) {
      if (input.kind !== 'text') throw new TypeError('joinInputs: a batch mixes text and tensor inputs');
      for (const t of input.texts) texts.push(t);
    }
    return { kind: 'text', texts };
  }
  let length = 0;
  let rows = 0;
  for (const input of inputs) {
    if (input.kind !== 'tensor') throw new TypeError('joinInputs: a batch mixes text and tensor inputs');
    length += input.values.length;
    rows += input.rows;
  }
  const values = new Float32Array(length);
  let offset = 0;
  for (const input of inputs as readonly { kind: 'tensor'; values: Float32Array }[]) {
    values.set(input.values, offset);
    offset += input.values.length;
  }
  return { kind: 'tensor', rows, values };
}
