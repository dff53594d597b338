import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../src/config/args.js';

test('actions: serve by default, --check, --config/--ini in both forms', () => {
  assert.deepEqual(parseArgs([]), { action: 'serve', configFile: null, options: [], placeholders: new Map(), warnings: [], verbose: false });
  assert.equal(parseArgs(['--check']).action, 'check');
  assert.equal(parseArgs(['--config', 'a.ini']).configFile, 'a.ini');
  assert.equal(parseArgs(['--ini=b.ini', '--check']).configFile, 'b.ini');
});

test('--help and --version win, even over malformed arguments', () => {
  assert.equal(parseArgs(['--wrokers', '-h']).action, 'help');
  assert.equal(parseArgs(['--help', '--version']).action, 'help');
  assert.equal(parseArgs(['stray', '-v']).action, 'version');
});

// Issue 13 item 5: `mlserve --config uwsgi.ini --check -v` prints the effective config too.
test('-v beside --check is --verbose (either order); alone it is still --version, and --version always wins', () => {
  for (const argv of [['--check', '-v'], ['-v', '--check'], ['--check', '--verbose'], ['--verbose', '--config', 'a.ini', '--check']]) {
    const r = parseArgs(argv);
    assert.deepEqual([r.action, r.verbose], ['check', true], argv.join(' '));
  }
  assert.equal(parseArgs(['--check', '-v']).configFile, null);
  assert.equal(parseArgs(['--check']).verbose, false);
  assert.equal(parseArgs(['-v']).action, 'version');
  assert.equal(parseArgs(['--print-config', '-v']).action, 'version');
  assert.equal(parseArgs(['--check', '--version']).action, 'version');
  assert.throws(() => parseArgs(['--verbose']), { code: 'ERR_CLI_ARGS', message: /^--verbose goes with --check/ });
  assert.throws(() => parseArgs(['--print-config', '--verbose']), { code: 'ERR_CLI_ARGS', message: /^--verbose goes with --check/ });
  assert.throws(() => parseArgs(['--check', '--verbose=1']), { code: 'ERR_CLI_ARGS', message: '--verbose takes no value' });
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
