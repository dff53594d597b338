import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';

/**
 * The repository root, found from this compiled file (dist/test/helpers/paths.js) or, when run
 * from source, from test/helpers/paths.ts: the nearest ancestor holding package.json.
 */
export const repoRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));

/** /work/shared of the workplace, beside the repository as `../shared` (also in CI). */
export const sharedDir: string = resolve(repoRoot, '..', 'shared');

/**
 * The model base dir (integer version subdirs) e2e tests and the bench serve: `npm run train`
 * writes models/reuters/1. MLSERVE_TEST_MODEL_BASE points them at another, e.g. a candidate.
 */
export const reutersModelBase: string = resolve(process.env['MLSERVE_TEST_MODEL_BASE'] ?? join(repoRoot, 'models', 'reuters'));

/** The compiled mlserve entry point (`npm run build` writes it). */
export const mlserveBin: string = join(repoRoot, 'dist', 'src', 'cli', 'mlserve.js');

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
