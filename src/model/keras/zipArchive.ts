import { crc32, inflateRawSync } from 'node:zlib';
import { invalid } from '../modelArtifacts.js';

/** The entries of a zip archive, by name, decompressed. */
export type ZipEntries = Map<string, Buffer>;

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * Reads every entry of a zip archive held in memory (a Keras `.keras` file: Keras writes it
 * with zipfile, stored or deflated). Throws ERR_MODEL_INVALID naming `file` for a truncated or
 * damaged archive, ZIP64, encryption, or a compression method other than stored/deflate.
 *
 * @example
 * const entries = readZip(await readFile('m.keras'), 'm.keras');
 * JSON.parse(entries.get('config.json')!.toString('utf8'));
 */
export function readZip(bytes: Buffer, file: string): ZipEntries {
  const damaged = (what: string): never =>
    invalid(file, `is a damaged or truncated zip (${what}); copy the .keras file again, or save it again with model.save('model.keras')`);
  // The end-of-central-directory record is in the last 22 + 65535 bytes (its comment is at most 64 KiB).
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (bytes.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return damaged('no end of central directory');
  const count = bytes.readUInt16LE(eocd + 10);
  const cdSize = bytes.readUInt32LE(eocd + 12);
  const cdOffset = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) return invalid(file, 'is a ZIP64 archive, which mlserve does not read');
  if (cdOffset + cdSize > eocd) return damaged('central directory outside the file');

  const entries: ZipEntries = new Map();
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || bytes.readUInt32LE(p) !== CENTRAL) return damaged(`central directory entry ${n}`);
    const flags = bytes.readUInt16LE(p + 8);
    const method = bytes.readUInt16LE(p + 10);
    const crc = bytes.readUInt32LE(p + 16);
    const compressed = bytes.readUInt32LE(p + 20);
    const size = bytes.readUInt32LE(p + 24);
    const nameLen = bytes.readUInt16LE(p + 28);
    const extraLen = bytes.readUInt16LE(p + 30);
    const commentLen = bytes.readUInt16LE(p + 32);
    const local = bytes.readUInt32LE(p + 42);
    const name = bytes.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if ((flags & 1) !== 0) return invalid(file, `entry ${name} is encrypted`);
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== LOCAL) return damaged(`local header of ${name}`);
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    if (start + compressed > bytes.length) return damaged(`${name} ends past the end of the file`);
    const raw = bytes.subarray(start, start + compressed);
    let data: Buffer;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = inflateRawSync(raw);
      } catch (err) {
        return invalid(file, `entry ${name} cannot be inflated (${(err as Error).message})`, err);
      }
    } else return invalid(file, `entry ${name} uses zip compression method ${method}; only stored and deflate are read`);
    if (data.length !== size || crc32(data) !== crc) return damaged(`${name} fails its CRC check`);
    entries.set(name, data);
  }
  return entries;
}
