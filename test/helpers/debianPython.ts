import { spawnSync } from 'node:child_process';

/** Debian's python3, with python3-h5py, python3-numpy and python3-keras-preprocessing (the pyenv python3 on PATH lacks them). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Why tests that run Keras 2's own preprocessing code or h5py skip, or false when they can run. */
export const kerasPythonSkip: string | false =
  spawnSync(DEBIAN_PYTHON, ['-c', 'import h5py, numpy, keras_preprocessing.text, keras_preprocessing.sequence']).status === 0
    ? false
    : '/usr/bin/python3 lacks h5py, numpy or keras_preprocessing (apt-get install python3-h5py python3-keras-preprocessing)';

/** Runs `code` with Debian's python3, `input` as JSON on stdin, and parses its JSON stdout; throws with stderr on failure. */
export function pythonJson<T>(code: string, input: unknown): T {
  const r = spawnSync(DEBIAN_PYTHON, ['-c', code], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${DEBIAN_PYTHON} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
