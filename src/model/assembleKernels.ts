/**
 * Build step: assembles src/model/kernels.wat into dist/src/model/kernels.wasm with wabt (the
 * WebAssembly Binary Toolkit, a maintained assembler), so the fast path's kernels are written as
 * WebAssembly text instead of hand-emitted opcodes. `npm run build` (and `prepare`, `test`,
 * `bench`) runs it after tsc: `node dist/src/model/assembleKernels.js`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MlserveError } from '../errors.js';

/** The .wat source, beside this module's source. */
export const KERNELS_WAT = new URL('../../../src/model/kernels.wat', import.meta.url);
/** The assembled module, beside this compiled module (simdKernels.ts reads it). */
export const KERNELS_WASM = new URL('./kernels.wasm', import.meta.url);

/** Assembles WebAssembly text (with SIMD and bulk memory) to a binary module. */
export async function assembleWat(name: string, text: string): Promise<Uint8Array> {
  const { default: init } = await import('wabt');
  const wabt = await init();
  let module;
  try {
    module = wabt.parseWat(name, text, { simd: true, bulk_memory: true });
  } catch (err) {
    throw new MlserveError('ERR_INTERNAL', `${name}: ${(err as Error).message}`, { cause: err });
  }
  try {
    module.validate();
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await assembleWat('kernels.wat', await readFile(KERNELS_WAT, 'utf8'));
  await writeFile(KERNELS_WASM, bytes);
}
