import type { Tensor } from '@tensorflow/tfjs';
import type { Tf } from './backend.js';

const registered = new WeakSet<object>();

/**
 * Registers with tfjs the classes that normalizeKerasConfig (src/model/keras/) writes where
 * tfjs-layers 4.22 would silently compute something other than Keras (or refuse):
 * - `MaskedGlobalAveragePooling1D`: the mean over unmasked steps, as Keras's GlobalAveragePooling1D
 *   (tfjs's ignores an Embedding(mask_zero=True) mask);
 * - `kerasHardSigmoid`: Keras 3's hard_sigmoid, relu6(x + 3) / 6 (tfjs's is clip(0.2x + 0.5));
 * - `KerasGRU`: GRU with reset_after=True, Keras's default since 2.x (tfjs's GRUCell throws on it).
 * Idempotent per tf namespace; call before building a model (workers and `--check` do).
 */
export function registerKerasCompat(tf: Tf): void {
  if (registered.has(tf)) return;
  registered.add(tf);

  class KerasHardSigmoid extends tf.serialization.Serializable {
    static className = 'kerasHardSigmoid';
    override getClassName(): string {
      return KerasHardSigmoid.className;
    }
    apply(x: Tensor): Tensor {
      // keras/src/activations/activations.py hard_sigmoid: relu6(x + 3) / 6 (Keras 3)
      return tf.tidy(() => tf.div(tf.relu6(tf.add(x, 3)), 6));
    }
    getConfig(): Record<string, never> {
      return {};
    }
  }
  tf.serialization.registerClass(KerasHardSigmoid);

  class MaskedGlobalAveragePooling1D extends tf.layers.Layer {
    static className = 'MaskedGlobalAveragePooling1D';
    readonly #channelsFirst: boolean;
    constructor(args: { dataFormat?: string } & Record<string, unknown>) {
      super(args as never);
      this.supportsMasking = true;
      this.#channelsFirst = args.dataFormat === 'channelsFirst';
    }
    override computeOutputShape(shape: number[] | number[][]): number[] {
      const s = (Array.isArray(shape[0]) ? shape[0] : shape) as number[];
      return this.#channelsFirst ? [s[0]!, s[1]!] : [s[0]!, s[2]!];
    }
    override computeMask(): Tensor {
      // No mask past the pooling (Keras's GlobalAveragePooling1D.compute_mask returns None).
      return null as unknown as Tensor;
    }
    override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        const steps = this.#channelsFirst ? 2 : 1;
        const mask = kwargs.mask as Tensor | undefined;
        if (mask == null) return tf.mean(x, steps);
        // keras/src/layers/pooling/global_average_pooling1d.py: sum(x * mask) / sum(mask). A row
        // that is all padding (a text with no known word) is 0/0 = NaN in Keras; here it pools to
        // zeros, as the fast path does, so both engines answer it the same and with numbers.
        const m = tf.expandDims(tf.cast(mask, 'float32'), this.#channelsFirst ? 1 : 2);
        return tf.divNoNan(tf.sum(tf.mul(x, m), steps), tf.sum(m, steps));
      });
    }
    override getConfig() {
      return { ...super.getConfig(), dataFormat: this.#channelsFirst ? 'channelsFirst' : 'channelsLast' };
    }
  }
  tf.serialization.registerClass(MaskedGlobalAveragePooling1D);

  // tfjs does not export GRUCell; its constructor is reached through the factory. Untyped on purpose.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const GRUCell = tf.layers.gruCell({ units: 1 }).constructor as any;
  class KerasGRUCell extends GRUCell {
    static className = 'KerasGRUCell';
    constructor(args: Record<string, unknown>) {
      super({ ...args, resetAfter: false });
    }
    build(inputShape: number[]): void {
      const self = this as any;
      const inputDim = inputShape[inputShape.length - 1]!;
      const u = self.units as number;
      self.kernel = self.addWeight('kernel', [inputDim, 3 * u], null, self.kernelInitializer, null, true, null);
      self.recurrentKernel = self.addWeight('recurrent_kernel', [u, 3 * u], null, self.recurrentInitializer, null, true, null);
      // reset_after keeps two biases, for the input and for the recurrent product: shape (2, 3u).
      self.bias = self.useBias ? self.addWeight('bias', [2, 3 * u], null, self.biasInitializer, null, true, null) : null;
      self.built = true;
    }
    call(inputs: Tensor[]): Tensor[] {
      const self = this as any;
      return tf.tidy(() => {
        const [x, hPrev] = inputs as [Tensor, Tensor];
        // keras/src/layers/rnn/gru.py GRUCell.call, reset_after=True:
        // hh = activation(x_h + r * (h_prev @ U_h + b_rh)), the reset gate applied after the product.
        let mx = tf.matMul(x as never, self.kernel.read());
        let mi = tf.matMul(hPrev as never, self.recurrentKernel.read());
        if (self.bias !== null) {
          const [bi, br] = tf.unstack(self.bias.read() as Tensor);
          mx = tf.add(mx, bi!);
          mi = tf.add(mi, br!);
        }
        const [xz, xr, xh] = tf.split(mx, 3, -1);
        const [rz, rr, rh] = tf.split(mi, 3, -1);
        const z = self.recurrentActivation.apply(tf.add(xz!, rz!)) as Tensor;
        const r = self.recurrentActivation.apply(tf.add(xr!, rr!)) as Tensor;
        const hh = self.activation.apply(tf.add(xh!, tf.mul(r, rh!))) as Tensor;
        const h = tf.add(tf.mul(z, hPrev), tf.mul(tf.sub(1, z), hh));
        return [h, h];
      });
    }
  }
  tf.serialization.registerClass(KerasGRUCell as never);

  class KerasGRU extends tf.RNN {
    static override className = 'KerasGRU';
    constructor(args: Record<string, unknown>) {
      super({ ...args, cell: new KerasGRUCell(args) } as never);
    }
    override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
      const k = kwargs ?? {};
      return super.call(inputs, { mask: k.mask, training: k.training, initialState: k.initialState } as never);
    }
    static override fromConfig<T extends object>(cls: new (config: Record<string, unknown>) => T, config: Record<string, unknown>): T {
      return new cls(config);
    }
  }
  tf.serialization.registerClass(KerasGRU as never);
}
