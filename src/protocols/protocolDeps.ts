import type { AppDeps } from '../http/app.js';
import type { ServedModel } from '../model/servedModel.js';

/** What the protocol routes need: the HTTP API's dependencies and the served model's description. */
export interface ProtocolDeps extends AppDeps {
  served(): ServedModel;
}
