// Worker-thread fixture for predictor.test.ts: builds a predictor from a posted bundle, as
// src/worker does, and answers with its backend and predictions.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../../src/model/backend.js';
import type { ModelBundle } from '../../src/model/bundle.js';
import { createPredictor } from '../../src/model/predictor.js';

const { bundle, texts } = workerData as { bundle: ModelBundle; texts: string[] };
const { tf, backend } = await selectBackend('auto');
const predictor = await createPredictor(bundle, tf);
const { classes, probs } = predictor.predictBatch(texts);
parentPort?.postMessage({ backend, classes, probs });
