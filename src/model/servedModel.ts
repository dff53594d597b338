// What the protocols say about the model being served (TF Serving's model status and metadata,
// KServe V2's model metadata): owned by the master, read at each request.

/** A version's state, in TF Serving's words (ModelVersionStatus.State). */
export type VersionState = 'START' | 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END';

/** One version the server knows of, and what it is doing. */
export interface VersionStatus {
  version: number;
  state: VersionState;
}

/** The served model as the protocols describe it. */
export interface ServedModel {
  /** The model's name in URLs: `model-name`, else the base directory's name. */
  name: string;
  /** The version that answers requests now. */
  version: number;
  /** Class names by output index. */
  labels: readonly string[];
  /** What the model takes: text (it has preprocessing) and/or rows of `inputSize` floats. */
  input: { text: boolean; inputSize: number };
  /** Every version the server knows of: one, or two during a chain reload (newest first). */
  versions: readonly VersionStatus[];
}
