import type { KerasLayerConfig } from './normalizeConfig.js';

const KERNEL_BIAS = ['kernel', 'bias'];

/**
 * The tfjs-layers names of a layer's weights, in Keras's order (the order Keras saves them:
 * `weight_names` of an .h5 file, `vars/0..n` of a .keras file). tfjs loads weights by these
 * names (LayersModel.loadWeights, strict), so a name wrong here fails the load loudly, never
 * silently. Layers without weights answer [].
 *
 * @example
 * tfjsWeightNames({ class_name: 'Dense', config: { name: 'dense', use_bias: true } }) // ['dense/kernel', 'dense/bias']
 */
export function tfjsWeightNames(layer: KerasLayerConfig): string[] {
  const c = layer.config;
  const name = String(c.name);
  const bias = c.use_bias !== false;
  const withBias = (names: string[]) => (bias ? names : names.filter((n) => n !== 'bias'));
  let suffixes: string[];
  switch (layer.class_name) {
    case 'Dense':
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D':
    case 'Conv2DTranspose':
    case 'Conv3DTranspose':
      suffixes = withBias(KERNEL_BIAS);
      break;
    case 'SeparableConv1D':
    case 'SeparableConv2D':
      suffixes = withBias(['depthwise_kernel', 'pointwise_kernel', 'bias']);
      break;
    case 'DepthwiseConv2D':
      suffixes = withBias(['depthwise_kernel', 'bias']);
      break;
    case 'Embedding':
      suffixes = ['embeddings'];
      break;
    case 'LSTM':
    case 'GRU':
    case 'KerasGRU':
    case 'SimpleRNN':
      suffixes = withBias(['kernel', 'recurrent_kernel', 'bias']);
      break;
    case 'BatchNormalization':
      suffixes = [...(c.scale !== false ? ['gamma'] : []), ...(c.center !== false ? ['beta'] : []), 'moving_mean', 'moving_variance'];
      break;
    case 'LayerNormalization':
      suffixes = [...(c.scale !== false ? ['gamma'] : []), ...(c.center !== false ? ['beta'] : [])];
      break;
    case 'PReLU':
      suffixes = ['alpha'];
      break;
    case 'Bidirectional': {
      // tfjs names the two copies forward_<inner> and backward_<inner> (wrappers.ts Bidirectional);
      // Keras saves the forward layer's weights first.
      const inner = c.layer as KerasLayerConfig;
      const innerName = String(inner.config.name);
      const own = tfjsWeightNames(inner).map((n) => n.slice(innerName.length + 1));
      return ['forward', 'backward'].flatMap((dir) => own.map((s) => `${name}/${dir}_${innerName}/${s}`));
    }
    default:
      suffixes = [];
  }
  return suffixes.map((s) => `${name}/${s}`);
}
