import { isRecord } from './isRecord.js';

/**
 * The layer list of a Keras / tfjs layers topology: Sequential (Keras 2.0's bare array or
 * `config.layers`) or Functional (`config.layers`), optionally wrapped in `model_config` as
 * model.json has it. Entries are returned as they are (unchecked); [] when there is no list.
 *
 * @example
 * topologyLayers({ class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { units: 46 } }] } })
 * // [{ class_name: 'Dense', config: { units: 46 } }]
 */
export function topologyLayers(topology: object): unknown[] {
  const top = topology as Record<string, unknown>;
  const root = isRecord(top.model_config) ? top.model_config : top;
  const config = root.config;
  if (Array.isArray(config)) return config;
  return isRecord(config) && Array.isArray(config.layers) ? config.layers : [];
}
