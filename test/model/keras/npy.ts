import { readFileSync } from 'node:fs';

/** A numpy array read from a .npy file: its shape and values as float64 (int32/float32 inputs). */
export interface NpyArray {
  shape: number[];
  dtype: string;
  data: Float32Array | Int32Array | Float64Array;
}

/**
 * Reads a .npy file (format 1.0/2.0/3.0, little-endian '<f4', '<i4', '<f8', '<i8' C-order), the
 * way numpy.save writes Keras's inputs and predictions for the shared fixtures.
 */
export function readNpy(file: string): NpyArray {
  const b = readFileSync(file);
  if (b.subarray(0, 6).toString('latin1') !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = b[6]!;
  const headerLen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = b.subarray(major === 1 ? 10 : 12, start).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (fortran) throw new Error(`${file}: Fortran order is not supported`);
  const n = shape.reduce((a, c) => a * c, 1);
  const body = b.subarray(start);
  const copy = (bytes: number) => body.buffer.slice(body.byteOffset, body.byteOffset + n * bytes);
  switch (descr) {
    case '<f4':
      return { shape, dtype: 'float32', data: new Float32Array(copy(4)) };
    case '<i4':
      return { shape, dtype: 'int32', data: new Int32Array(copy(4)) };
    case '<f8':
      return { shape, dtype: 'float64', data: new Float64Array(copy(8)) };
    case '<i8':
      return { shape, dtype: 'int32', data: Int32Array.from(new BigInt64Array(copy(8)), (v) => Number(v)) };
    default:
      throw new Error(`${file}: dtype ${descr} is not supported`);
  }
}
