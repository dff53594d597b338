import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fieldName, findOption, optionNames, options, type Address, type Config, type OptionSpec } from '../../src/config/schema.js';
import { ignoredUwsgiKeys, plannedUwsgiKeys, uwsgiKeyNote } from '../../src/config/uwsgi-keys.js';
import { parseValue } from '../../src/config/value-types.js';

// Compile-time: Config is derived from the schema, field for field, with the right value types.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const fieldsMatch: Equal<
  keyof Config,
  | 'socket' | 'http' | 'chmodSocket' | 'vacuum' | 'workers' | 'model' | 'backend' | 'maxBatch' | 'maxBatchSize'
  | 'listen' | 'maxBodySize' | 'maxTextLength' | 'shutdownTimeout' | 'shutdownDelay' | 'keepaliveTimeout' | 'logLevel' | 'logFormat'
  | 'cheaper' | 'cheaperInitial' | 'cheaperAlgo' | 'cheaperStep' | 'cheaperOverload' | 'cheaperIdle'
  | 'cheaperBusynessMax' | 'cheaperBusynessMin' | 'cheaperBusynessMultiplier' | 'cheaperBusynessPenalty'
  | 'cheaperBusynessBacklogAlert' | 'cheaperBusynessBacklogMultiplier' | 'cheaperBusynessBacklogStep'
  | 'cheaperBusynessBacklogNonzero' | 'cheaperRssLimitSoft' | 'cheaperRssLimitHard' | 'checkInterval'
  | 'harakiri' | 'maxRequests' | 'maxRequestsDelta' | 'minWorkerLifetime' | 'reloadOnRss'
  | 'modelName' | 'stats' | 'statsHttp' | 'statsMinified' | 'chmodStats' | 'metrics' | 'fastPath' | 'pidfile' | 'batchTimeoutMicros' | 'batchLingerMicros' | 'maxEnqueuedBatches' | 'workerMaxHeap'
  | 'httpSocket' | 'uwsgiSocket' | 'chownSocket' | 'bufferSize' | 'socketTimeout' | 'uid' | 'gid' | 'chdir' | 'env'
  | 'touchReload' | 'touchChainReload' | 'masterFifo' | 'strict'
> = true;
const typesMatch: [
  Equal<Config['http'], Address | null>,
  Equal<Config['socket'], string | null>,
  Equal<Config['vacuum'], boolean>,
  Equal<Config['chmodSocket'], number>,
  Equal<Config['backend'], 'auto' | 'tensorflow' | 'wasm' | 'cpu'>,
  Equal<Config['logFormat'], 'json' | 'pretty'>,
  Equal<Config['cheaperAlgo'], 'spare' | 'spare2' | 'backlog' | 'busyness' | 'manual'>,
  Equal<Config['cheaperInitial'], number | null>,
  Equal<Config['cheaperRssLimitHard'], number | null>,
  Equal<Config['env'], readonly string[]>,
  Equal<Config['uid'], string | null>,
] = [true, true, true, true, true, true, true, true, true, true, true];

test('Config field names are the camelCase option names', () => {
  assert.ok(fieldsMatch && typesMatch.every(Boolean));
  assert.equal(fieldName('max-body-size'), 'maxBodySize');
  assert.equal(fieldName('chmod-socket'), 'chmodSocket');
  assert.equal(fieldName('socket'), 'socket');
});

test('every default obeys its own option type and constraints', () => {
  for (const name of optionNames) {
    const spec: OptionSpec = options[name];
    const parsed = parseValue(spec, spec.default ?? '', '/srv');
    assert.ok(parsed.ok, `default of ${name}`);
    assert.ok(spec.help.length > 0, `help of ${name}`);
  }
});

test('names and aliases are unique, and none is also a uWSGI key mlserve ignores', () => {
  const spellings = optionNames.flatMap((n) => [n, ...((options[n] as OptionSpec).aliases ?? [])]);
  assert.equal(new Set(spellings).size, spellings.length);
  for (const s of spellings) {
    assert.equal(uwsgiKeyNote(s), null, `${s} is implemented: remove it from uwsgi-keys.ts`);
    assert.match(s, /^[a-z][a-z0-9-]*$/);
  }
  assert.equal(findOption('processes'), 'workers');
  assert.equal(findOption('nope'), undefined);
  const planned = plannedUwsgiKeys.filter((k) => !k.endsWith('*'));
  assert.deepEqual(planned.filter((k) => Object.hasOwn(ignoredUwsgiKeys, k)), []);
});

test('the shipped config/mlserve.ini mentions every option; a commented-out one shows the schema default', async () => {
  const ini = await readFile(new URL('../../../config/mlserve.ini', import.meta.url), 'utf8');
  for (const name of optionNames) {
    const m = new RegExp(`^(# )?${name} = (.*)$`, 'm').exec(ini);
    assert.ok(m, `${name} is missing from config/mlserve.ini`);
    const { default: fallback } = options[name] as OptionSpec;
    // The schema is the one place a default is written; the ini's commented lines must not drift from it.
    if (m[1] && fallback !== null) assert.equal(m[2], fallback, `commented default of ${name}`);
  }
});
