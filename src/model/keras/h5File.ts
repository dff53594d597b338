import h5wasm, { Dataset, Group } from 'h5wasm';

/** The slice of emscripten's FS that H5File uses (h5wasm's typings do not export it). */
interface MemFs {
  writeFile(path: string, data: Uint8Array): void;
  unlink(path: string): void;
}
import { invalid } from '../modelArtifacts.js';
import { hdf5StoredLength } from './hdf5Superblock.js';

/** A float32 array read from an HDF5 dataset, with its shape. */
export interface H5Array {
  shape: number[];
  data: Float32Array;
}

// HDF5 H5T_class_t: 1 is H5T_FLOAT. Filters h5wasm's build decodes: deflate, shuffle, fletcher32.
const H5T_FLOAT = 1;
const READABLE_FILTERS = new Map([
  [1, 'deflate'],
  [2, 'shuffle'],
  [3, 'fletcher32'],
]);

let sequence = 0;

/**
 * The deepest frame of an HDF5 error stack ("#006: .../H5Fsuper.c line 577 in H5F__super_read():
 * truncated file: eof = 30000, ...") as "truncated file: eof = 30000, ...": one line.
 */
function hdf5Cause(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : typeof err === 'string' ? err : '';
  const frames = [...text.matchAll(/#\d+: .* in [\w]+\(\): (.*)$/gm)].map((m) => m[1]!.trim());
  return frames.at(-1) ?? (text.split('\n').find((l) => l.trim() !== '')?.trim() || "its structure is unreadable: HDF5's own report is on stderr");
}

/**
 * A read-only view of one HDF5 file held in memory (h5wasm, the HDF5 C library compiled to wasm,
 * no native code and nothing downloaded). Paths are relative to the root, '/'-separated. Errors
 * name `label` (the file as the user knows it, e.g. "m.keras:model.weights.h5") and the dataset.
 * Call {@link H5File.close} when done: the bytes live in h5wasm's in-memory file system.
 */
export class H5File {
  readonly label: string;
  #file: InstanceType<typeof h5wasm.File>;
  #path: string;
  #fs: MemFs;

  private constructor(label: string, file: InstanceType<typeof h5wasm.File>, path: string, fs: MemFs) {
    this.label = label;
    this.#file = file;
    this.#path = path;
    this.#fs = fs;
  }

  /**
   * Opens HDF5 bytes. Throws ERR_MODEL_INVALID naming `label` when HDF5 cannot read them, in one
   * line: a truncated file (the common damage) is told from its superblock before HDF5 opens it;
   * for other damage HDF5 prints its own stack on stderr and the error names its deepest cause.
   */
  static async open(bytes: Uint8Array, label: string): Promise<H5File> {
    const damaged = (cause: string, err?: unknown): never =>
      invalid(label, `HDF5 cannot open it (${cause}); the file is damaged or truncated: copy it again, or save it again with model.save(...)`, err);
    // Regression: a truncated .h5 printed HDF5-DIAG's stack to stderr, then failed with h5wasm's
    // "name not defined!". Told from the superblock first, in one line, before HDF5 sees it.
    const stored = hdf5StoredLength(bytes);
    if (stored !== null && stored > bytes.length) damaged(`truncated file: eof = ${bytes.length}, stored_eof = ${stored}`);
    const module = await h5wasm.ready;
    const fs = module.FS as unknown as MemFs;
    const path = `/mlserve-${process.pid}-${++sequence}.h5`;
    let file: InstanceType<typeof h5wasm.File> | null = null;
    let cause: unknown = null;
    try {
      fs.writeFile(path, bytes);
      file = new h5wasm.File(path, 'r');
    } catch (err) {
      cause = err;
    }
    if (file === null || Number(file.file_id) < 0) {
      try {
        fs.unlink(path);
      } catch {
        // never written: nothing to remove
      }
      return damaged(hdf5Cause(cause), cause);
    }
    return new H5File(label, file, path, fs);
  }

  /** An attribute as a string (bytes attributes included), or undefined when absent. */
  attrString(groupPath: string, name: string): string | undefined {
    const value = this.#attrs(groupPath)[name]?.value;
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : String(value);
  }

  /**
   * A string-list attribute, joining Keras's split form (`name0`, `name1`, ... when the list
   * exceeded HDF5's 64 KiB attribute limit: keras saving/legacy/hdf5_format save_attributes_to_hdf5_group).
   */
  attrStrings(groupPath: string, name: string): string[] | undefined {
    const attrs = this.#attrs(groupPath);
    if (attrs[name] !== undefined) return toStrings(attrs[name]?.value);
    if (attrs[`${name}0`] === undefined) return undefined;
    const out: string[] = [];
    for (let i = 0; attrs[`${name}${i}`] !== undefined; i++) out.push(...toStrings(attrs[`${name}${i}`]?.value));
    return out;
  }

  /** Names of a group's members, or undefined when `groupPath` is not a group. */
  keys(groupPath: string): string[] | undefined {
    const g = this.#get(groupPath);
    return g instanceof Group ? g.keys() : undefined;
  }

  /** True when `p` names a dataset. */
  isDataset(p: string): boolean {
    return this.#get(p) instanceof Dataset;
  }

  /**
   * Reads a float32 dataset. Throws ERR_MODEL_INVALID naming the file and dataset for any other
   * dtype (float16, float64, integers: mlserve serves float32 weights only) or a filter h5wasm
   * cannot decode.
   */
  readFloat32(p: string): H5Array {
    const d = this.#get(p);
    if (!(d instanceof Dataset)) return invalid(this.label, `weight ${p} is missing`);
    const meta = d.metadata;
    if (meta.type !== H5T_FLOAT || meta.size !== 4) {
      const what = meta.type === H5T_FLOAT ? `float${meta.size * 8}` : `dtype ${JSON.stringify(d.dtype)}`;
      return invalid(
        this.label,
        `weight ${p} is ${what}; mlserve serves float32 weights only (quantized or float16 models: cast to float32 in Keras and save again)`,
      );
    }
    for (const f of d.filters) {
      if (!READABLE_FILTERS.has(f.id)) {
        return invalid(this.label, `weight ${p} uses HDF5 filter ${f.id} (${f.name || 'unknown'}), which mlserve cannot decode; save it again without compression or with gzip`);
      }
    }
    let value;
    try {
      value = d.value;
    } catch (err) {
      return invalid(this.label, `weight ${p} cannot be read (${(err as Error).message})`, err);
    }
    if (!(value instanceof Float32Array)) return invalid(this.label, `weight ${p} did not read as float32`);
    return { shape: d.shape ?? [], data: value };
  }

  /** Closes the file and frees its in-memory copy. */
  close(): void {
    try {
      this.#file.close();
    } finally {
      this.#fs.unlink(this.#path);
    }
  }

  #get(p: string): unknown {
    if (p === '' || p === '/') return this.#file;
    try {
      return this.#file.get(p);
    } catch {
      // h5wasm throws for a path through a missing group; a missing member is what callers test for.
      return undefined;
    }
  }

  #attrs(groupPath: string): Record<string, { value: unknown } | undefined> {
    const g = this.#get(groupPath);
    return g instanceof Group || g instanceof Dataset ? (g.attrs as Record<string, { value: unknown }>) : {};
  }
}

function toStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map(String);
  // An empty list is saved by Keras as an empty float64 array.
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>, String);
  return [];
}
