import { MlserveError } from '../errors.js';

/** Limits applied to every text, from the config. */
export interface InputLimits {
  maxTextLength: number;
  maxBatch: number;
}

/** Checks one text from a query or a body; `where` names it in the error ("text", "texts[3]"). */
export function checkText(text: unknown, where: string, limits: InputLimits): string {
  if (text === undefined || text === null) {
    throw new MlserveError('ERR_TEXT_MISSING', `"${where}" is required`);
  }
  if (typeof text !== 'string') {
    throw new MlserveError('ERR_BODY_MALFORMED', `"${where}" must be a string, got ${kindOf(text)}`);
  }
  if (text.length === 0) {
    throw new MlserveError('ERR_TEXT_MISSING', `"${where}" is empty`);
  }
  if (text.length > limits.maxTextLength) {
    throw new MlserveError(
      'ERR_TEXT_TOO_LONG',
      `"${where}" has ${text.length} characters, more than max-text-length (${limits.maxTextLength})`,
    );
  }
  return text;
}

/**
 * Turns a parsed POST body into the texts to predict: `{"text": "..."}` or
 * `{"texts": ["...", ...]}` with at most `max-batch` entries.
 */
export function textsFromBody(body: unknown, limits: InputLimits): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MlserveError('ERR_BODY_MALFORMED', `the body must be a JSON object with "text" or "texts", got ${kindOf(body)}`);
  }
  const { text, texts } = body as { text?: unknown; texts?: unknown };
  if (text !== undefined && texts !== undefined) {
    throw new MlserveError('ERR_BODY_MALFORMED', 'give either "text" or "texts", not both');
  }
  if (texts === undefined) return [checkText(text, 'text', limits)];
  if (!Array.isArray(texts)) {
    throw new MlserveError('ERR_BODY_MALFORMED', `"texts" must be an array of strings, got ${kindOf(texts)}`);
  }
  if (texts.length === 0) {
    throw new MlserveError('ERR_TEXT_MISSING', '"texts" is empty');
  }
  if (texts.length > limits.maxBatch) {
    throw new MlserveError('ERR_BATCH_TOO_LARGE', `"texts" has ${texts.length} entries, more than max-batch (${limits.maxBatch})`);
  }
  for (let i = 0; i < texts.length; i++) checkText(texts[i], `texts[${i}]`, limits);
  return texts as string[];
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
