import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topologyLayers } from '../../src/model/topologyLayers.js';

const dense = { class_name: 'Dense', config: { name: 'd', units: 2 } };

test('topologyLayers reads Sequential, Functional, Keras 2.0 bare arrays and the model.json model_config wrapper', () => {
  assert.deepEqual(topologyLayers({ class_name: 'Sequential', config: { layers: [dense] } }), [dense]);
  assert.deepEqual(topologyLayers({ class_name: 'Functional', config: { layers: [dense], input_layers: [] } }), [dense]);
  // Keras 2.0-2.1 Sequential: config is the layer array itself.
  assert.deepEqual(topologyLayers({ class_name: 'Sequential', config: [dense] }), [dense]);
  assert.deepEqual(topologyLayers({ model_config: { class_name: 'Sequential', config: { layers: [dense] } }, keras_version: '2.1.6' }), [dense]);
});

test('topologyLayers answers [] when there is no layer list', () => {
  assert.deepEqual(topologyLayers({}), []);
  assert.deepEqual(topologyLayers({ config: { layers: 'x' } }), []);
  assert.deepEqual(topologyLayers({ model_config: null, config: null }), []);
});
