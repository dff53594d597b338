import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceScreenCapture } from '../../bench/mltopDoc.js';
import type { MltopCapture } from '../../bench/results.js';
import { repoRoot } from '../helpers/paths.js';

const capture: MltopCapture = {
  date: '2026-11-21T06:30:00Z',
  command: 'node dist/src/cli/mltop.js <stats socket>',
  load: 'wrk loaded mlserve',
  width: 160,
  height: 30,
  screen: ['mlserve-0.1.0 - Sat Nov 21 06:30:00 2026 - req: 5 - RPS: 9000', '    1  50.0    4242  busy', '', ''],
};

const doc = `# mltop

Intro.

## The screen

\`\`\`
old frame line 1
old frame line 2
\`\`\`

(captured with tmux from the test's stats server, a sample document; a capture under real load
is to come.)

The first two lines and the table are uwsgitop's.

## Keys

\`\`\`
q quit
\`\`\`
`;

test('the screen block and its caption are replaced; everything else is kept byte for byte', () => {
  const out = replaceScreenCapture(doc, capture);
  assert.equal(
    out,
    doc.replace(
      /```\nold frame[^]*?is to come\.\)/,
      '```\nmlserve-0.1.0 - Sat Nov 21 06:30:00 2026 - req: 5 - RPS: 9000\n    1  50.0    4242  busy\n```\n\n' +
        '(captured by `npm run bench` on 2026-11-21T06:30:00Z: `node dist/src/cli/mltop.js <stats socket>` in a 160×30 tmux pane, ' +
        '`capture-pane -p`, while wrk loaded mlserve.)',
    ),
  );
  assert.ok(out.includes('## Keys\n\n```\nq quit\n```\n'), 'later blocks untouched');
});

test('replacing twice gives the same document as replacing once (the new caption is recognised)', () => {
  const once = replaceScreenCapture(doc, capture);
  assert.equal(replaceScreenCapture(once, capture), once);
  const other = replaceScreenCapture(once, { ...capture, screen: ['new'] });
  assert.equal((other.match(/\(captured/g) ?? []).length, 1);
});

test('a doc without the section or its block is refused, not rewritten blindly', () => {
  assert.throws(() => replaceScreenCapture('# mltop\n\n## Keys\n', capture), /no "## The screen" heading/);
  assert.throws(() => replaceScreenCapture('# mltop\n\n## The screen\n\ntext\n\n## Keys\n\n```\nq\n```\n', capture), /no fenced block/);
});

test('the real docs/mltop.md has the section the bench rewrites', () => {
  const real = readFileSync(join(repoRoot, 'docs', 'mltop.md'), 'utf8');
  const out = replaceScreenCapture(real, capture);
  assert.ok(out.includes(capture.screen[0]!));
  assert.equal(out.split('\n## ').length, real.split('\n## ').length, 'same sections');
});
