import { isRecord } from '../isRecord.js';
import { refuse } from './refuse.js';

type NodeRef = [string, number, number, Record<string, unknown>];

/**
 * A layer's `inbound_nodes` in the Keras 2 form tfjs-layers reads (`[[[layer, node, tensor,
 * kwargs], ...], ...]`), from either that form or Keras 3's
 * `[{args: [{class_name: '__keras_tensor__', config: {keras_history: [layer, node, tensor]}}], kwargs}]`.
 *
 * @example
 * toKerasInboundNodes([{ args: [{ class_name: '__keras_tensor__', config: { keras_history: ['tokens', 0, 0] } }], kwargs: {} }], 'm.keras', 'embedding')
 * // [[['tokens', 0, 0, {}]]]
 */
export function toKerasInboundNodes(nodes: unknown, file: string, layer: string): unknown[] {
  if (!Array.isArray(nodes)) return [];
  return nodes.map((node) => {
    if (Array.isArray(node)) return node; // Keras 2 already
    if (!isRecord(node)) return [];
    const refs: NodeRef[] = [];
    collectTensors(node.args, refs);
    const kwargs = isRecord(node.kwargs) ? node.kwargs : {};
    for (const [k, v] of Object.entries(kwargs)) {
      const inKwarg: NodeRef[] = [];
      collectTensors(v, inKwarg);
      if (inKwarg.length > 0) {
        refuse(file, `layer ${layer} is called with a tensor for its argument ${k}`, 'pass every tensor input positionally (mlserve rebuilds positional graphs only)');
      }
    }
    return refs;
  });
}

/** `input_layers`/`output_layers`: Keras 3 writes one flat `[name, node, tensor]` for a single tensor. */
export function toNodeList(v: unknown): unknown {
  if (Array.isArray(v) && v.length === 3 && typeof v[0] === 'string') return [v];
  return v;
}

function collectTensors(v: unknown, out: NodeRef[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collectTensors(x, out);
  } else if (isRecord(v) && v.class_name === '__keras_tensor__' && isRecord(v.config) && Array.isArray(v.config.keras_history)) {
    const [name, node, tensor] = v.config.keras_history as [string, number, number];
    out.push([name, node, tensor, {}]);
  }
}
