import type { MltopCapture } from './results.js';

const SECTION = '## The screen';

/** The caption under a capture: what ran, when, and under which load. */
export function captureCaption(capture: MltopCapture): string {
  return (
    `(captured by \`npm run bench\` on ${capture.date}: \`${capture.command}\` in a ` +
    `${capture.width}×${capture.height} tmux pane, \`capture-pane -p\`, while ${capture.load}.)`
  );
}

/**
 * docs/mltop.md with the screen capture of its "The screen" section replaced by `capture`: the
 * first fenced block after the heading, and the "(captured ...)" paragraph right after it when
 * there is one. Everything else is kept byte for byte.
 *
 * @throws Error when the section or its fenced block is missing: a reshaped doc must not be
 * overwritten blindly.
 */
export function replaceScreenCapture(markdown: string, capture: MltopCapture): string {
  const heading = markdown.indexOf(`\n${SECTION}\n`);
  if (heading < 0) throw new Error(`docs/mltop.md: no "${SECTION}" heading`);
  const open = markdown.indexOf('\n```', heading + SECTION.length);
  const nextHeading = markdown.indexOf('\n## ', heading + SECTION.length + 1);
  if (open < 0 || (nextHeading >= 0 && open > nextHeading)) throw new Error(`docs/mltop.md: no fenced block in "${SECTION}"`);
  const openEnd = markdown.indexOf('\n', open + 1);
  const close = markdown.indexOf('\n```', openEnd);
  if (close < 0) throw new Error('docs/mltop.md: the screen block is not closed');
  let end = markdown.indexOf('\n', close + 1);
  end = end < 0 ? markdown.length : end;
  // The caption paragraph that belongs to the old capture goes too.
  const after = /^\n*\(captured[^]*?\)\n/.exec(markdown.slice(end + 1));
  if (after) end += 1 + after[0].length - 1;
  const rows = [...capture.screen];
  while (rows.length > 0 && rows[rows.length - 1]!.trim() === '') rows.pop();
  const block = ['```', ...rows, '```', '', captureCaption(capture)].join('\n');
  return `${markdown.slice(0, open + 1)}${block}${markdown.slice(end)}`;
}
