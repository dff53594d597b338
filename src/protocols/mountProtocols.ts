import type { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { mountKserveV2 } from './kserveV2.js';
import type { ProtocolDeps } from './protocolDeps.js';
import { mountSagemaker } from './sagemaker.js';
import { mountTfServing } from './tfServing.js';

/** Every client protocol mlserve speaks besides its own /predict: TF Serving, KServe V2, SageMaker. */
export function mountProtocols(app: Hono<{ Bindings: HttpBindings }>, deps: ProtocolDeps): void {
  mountTfServing(app, deps);
  mountKserveV2(app, deps);
  mountSagemaker(app, deps);
}
