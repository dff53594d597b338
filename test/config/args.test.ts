import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../src/config/args.js';

test('actions: serve by default, --check, --config/--ini in both forms', () => {
  assert.deepEqual(parseArgs([]), { action: 'serve', configFile: null, options: [], placeholders: new Map(), warnings: [] });
  assert.equal(parseArgs(['--check']).action, 'check');
  assert.equal(parseArgs(['--config', 'a.ini']).configFile, 'a.ini');
  assert.equal(parseArgs(['--ini=b.ini', '--check']).configFile, 'b.ini');
});

test('--help and --version win, even over malformed arguments', () => {
  assert.equal(parseArgs(['--wrokers', '-h']).action, 'help');
  assert.equal(parseArgs(['--help', '--version']).action, 'help');
  assert.equal(parseArgs(['stray', '-v']).action, 'version');
});

test('options keep the flag as written, in order', () => {
  assert.deepEqual(parseArgs(['--processes', '3', '--no-vacuum', '--http=:1']).options, [
    { name: 'workers', flag: '--processes', value: '3' },
    { name: 'vacuum', flag: '--no-vacuum', value: 'false' },
    { name: 'http', flag: '--http', value: ':1' },
  ]);
});

test('ignored uWSGI flags warn and take a following value if there is one', () => {
  const r = parseArgs(['--master', '--plugin', 'python3', '--workers', '2']);
  assert.deepEqual(r.options, [{ name: 'workers', flag: '--workers', value: '2' }]);
  assert.equal(r.warnings.length, 2);
});

test('malformed command lines: ERR_CLI_ARGS', () => {
  const cases: Array<[string[], string]> = [
    [['--workers'], '--workers needs a value'],
    [['--workers', '--check'], '--workers needs a value'],
    [['--config'], '--config needs a value'],
    [['--config', 'a', '--ini', 'b'], '--ini given more than once'],
    [['--check=yes'], '--check takes no value'],
    [['--no-vacuum=1'], '--no-vacuum takes no value'],
    [['--no-workers'], '--no-workers: "workers" is not a boolean option; give it a value with --workers'],
    [['config/mlserve.ini'], 'unexpected argument "config/mlserve.ini" (did you mean --config config/mlserve.ini?)'],
    [['-x'], 'unknown option -x'],
    [['-workers', '2'], 'unknown option -workers (did you mean "--workers"?)'],
    [['--conifg', 'a.ini'], 'unknown option --conifg (did you mean "--config"?)'],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseArgs(argv), { code: 'ERR_CLI_ARGS', message }, argv.join(' '));
});
