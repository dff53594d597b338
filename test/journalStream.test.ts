/**
 * Journal priorities (issue 16). Regression: every pino line reached the journal at priority 6,
 * so `journalctl -u mlserve -p warning` showed none of mlserve's warnings or errors. The real
 * journal is exercised in test/systemd/nspawn.test.ts; here JOURNAL_STREAM is faked by pointing
 * it at the file that is the child's stdout (journald is not running on this machine).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isJournalStream, syslogPriority } from '../src/journalStream.js';
import { repoRoot } from './helpers/paths.js';

test('pino levels map to syslog priorities: fatal 2, error 3, warn 4, info 6, debug and trace 7', () => {
  const table: [number, number][] = [[60, 2], [50, 3], [40, 4], [35, 6], [30, 6], [20, 7], [10, 7]];
  for (const [level, priority] of table) assert.equal(syslogPriority(level), priority, `level ${level}`);
});

/** Runs a child that logs one line per level with createLogger(), stdout to a file; returns its lines. */
async function logLines(journalStream: (dev: bigint, ino: bigint) => string | undefined): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-journal-'));
  try {
    const file = join(dir, 'stdout');
    const fd = openSync(file, 'w');
    const st = fstatSync(fd, { bigint: true });
    const env = { ...process.env };
    delete env['JOURNAL_STREAM'];
    const value = journalStream(st.dev, st.ino);
    if (value !== undefined) env['JOURNAL_STREAM'] = value;
    const script = `import { createLogger } from ${JSON.stringify(join(repoRoot, 'dist/src/log.js'))};
      const log = createLogger({ level: 'trace' });
      log.trace('t'); log.debug('d'); log.info('i'); log.warn('w'); log.error({ err: new Error('boom') }, 'e'); log.fatal('f');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env, stdio: ['ignore', fd, 'inherit'] });
    closeSync(fd);
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    return readFileSync(file, 'utf8').trimEnd().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Regression: the journal's destination was asynchronous, and under load (here: 6 children at
// once on a busy machine) the trace line, still being written when fatal flushed synchronously,
// landed last: the journal's order was not the log's.
test('stdout is the journal (JOURNAL_STREAM = its dev:inode): each line starts with <priority>, then the JSON, in order', async () => {
  const runs = await Promise.all(Array.from({ length: 6 }, () => logLines((dev, ino) => `${dev}:${ino}`)));
  for (const lines of runs) {
    assert.deepEqual(lines.map((l) => l.slice(0, 3)), ['<7>', '<7>', '<6>', '<4>', '<3>', '<2>']);
    const parsed = lines.map((l) => JSON.parse(l.slice(3)) as { level: string; msg: string });
    assert.deepEqual(parsed.map((p) => [p.level, p.msg]), [['trace', 't'], ['debug', 'd'], ['info', 'i'], ['warn', 'w'], ['error', 'e'], ['fatal', 'f']]);
  }
});

test('stdout is not the journal (no JOURNAL_STREAM, or another stream\'s): lines are plain JSON, unchanged', async () => {
  for (const value of [() => undefined, (dev: bigint, ino: bigint) => `${dev}:${ino + 1n}`, () => 'garbage']) {
    const lines = await logLines(value);
    assert.equal(lines.length, 6);
    for (const line of lines) assert.equal(line[0], '{', line);
  }
});

test('isJournalStream: false for a closed descriptor or a malformed variable', () => {
  assert.equal(isJournalStream(987654, { JOURNAL_STREAM: '1:2' }), false);
  const st = fstatSync(1, { bigint: true });
  assert.equal(isJournalStream(1, { JOURNAL_STREAM: `${st.dev}:${st.ino}` }), true);
  assert.equal(isJournalStream(1, { JOURNAL_STREAM: `${st.dev}` }), false);
});

/**
 * Runs `mlserve ARGS` with `stream` (stdout or stderr) to a file, JOURNAL_STREAM pointing at it
 * when `journal`; returns its exit code and what it wrote there.
 */
async function mlserveTo(stream: 'stdout' | 'stderr', args: string[], journal: boolean): Promise<{ code: number; text: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-journal-'));
  try {
    const file = join(dir, stream);
    const fd = openSync(file, 'w');
    const st = fstatSync(fd, { bigint: true });
    const env = { ...process.env };
    delete env['JOURNAL_STREAM'];
    if (journal) env['JOURNAL_STREAM'] = `${st.dev}:${st.ino}`;
    const stdio = stream === 'stdout' ? (['ignore', fd, 'inherit'] as const) : (['ignore', 'ignore', fd] as const);
    const child = spawn(process.execPath, [join(repoRoot, 'dist/src/cli/mlserve.js'), ...args], { env, cwd: repoRoot, stdio: [...stdio] });
    closeSync(fd);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code] = (await once(child, 'exit')) as [number];
    clearTimeout(timer);
    return { code, text: readFileSync(file, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function mlserveStderr(args: string[], journal: boolean): Promise<{ code: number; stderr: string }> {
  const { code, text } = await mlserveTo('stderr', args, journal);
  return { code, stderr: text };
}

async function mlserveStdout(args: string[], journal: boolean): Promise<{ code: number; stdout: string }> {
  const { code, text } = await mlserveTo('stdout', args, journal);
  return { code, stdout: text };
}

// Issue 16 item 2, the line an operator alerts on: a start that fails (ExecStartPre's --check, a
// bad flag) writes one line to stderr, not through pino; in the journal it must be an error too.
test('the fail-fast line on stderr carries <3> (err) when stderr is the journal, and nothing otherwise', async () => {
  const journal = await mlserveStderr(['--wrokers', '2'], true);
  assert.equal(journal.code, 1);
  assert.match(journal.stderr, /^<3>mlserve: ERR_CLI_ARGS: unknown option --wrokers \(did you mean "--workers"\?\)\n$/);
  const plain = await mlserveStderr(['--wrokers', '2'], false);
  assert.equal(plain.code, 1);
  assert.equal(plain.stderr, journal.stderr.slice(3));
});

// Issue 16 item 2, `journalctl -o cat | jq` parses every line: ExecStartPre's --check printed an
// indented human report into the unit's journal. There it is one JSON line (the report in `check`).
test('--check writes its report as JSON lines when stdout is the journal, as indented text otherwise', async () => {
  const args = ['--check', '--model', join(repoRoot, 'models', 'reuters')];
  const journal = await mlserveStdout(args, true);
  assert.equal(journal.code, 0);
  const lines = journal.stdout.trimEnd().split('\n');
  for (const line of lines) assert.match(line, /^<[2-7]>\{/, line);
  const report = lines.map((l) => JSON.parse(l.replace(/^<\d>/, '')) as { msg: string; check?: string[] }).find((e) => e.check);
  assert.match(report?.msg ?? '', /^mlserve: config .* ok; model reuters v1 ok/);
  assert.ok(report?.check?.some((l) => l.startsWith('engine: ')), JSON.stringify(report));
  // Regression (found in review): the report went through the server's logger, so with
  // log-level = warn ExecStartPre wrote nothing at all.
  const quiet = await mlserveStdout([...args, '--log-level', 'warn'], true);
  assert.equal(quiet.code, 0);
  assert.ok(quiet.stdout.split('\n').some((l) => l.includes('"check":[')), quiet.stdout);
  const terminal = await mlserveStdout(args, false);
  assert.equal(terminal.code, 0);
  assert.match(terminal.stdout, /^mlserve: config .* ok; model reuters v1 ok .*\n {2}format: /m);
});
