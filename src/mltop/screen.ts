import blessed from 'blessed';
import type { LineStyle, StyledFrame } from './renderFrame.js';

/** The terminal as mltop uses it: a size, a frame to draw, keys and resizes. */
export interface Screen {
  size(): { width: number; height: number };
  draw(frame: StyledFrame): void;
  /** `key` is blessed's full key name: `q`, `s`, `C-c`. */
  onKey(listener: (key: string) => void): void;
  onResize(listener: () => void): void;
  /** Gives the terminal back (leaves the alternate screen, shows the cursor). */
  destroy(): void;
}

// uwsgitop's colours: busy green, cheap magenta, sig yellow, pause blue.
const tags: Readonly<Record<LineStyle, [string, string]>> = {
  plain: ['', ''],
  'table-header': ['{inverse}', '{/inverse}'],
  busy: ['{green-fg}', '{/green-fg}'],
  cheap: ['{magenta-fg}', '{/magenta-fg}'],
  pause: ['{blue-fg}', '{/blue-fg}'],
  sig: ['{yellow-fg}', '{/yellow-fg}'],
  alert: ['{red-fg}{bold}', '{/bold}{/red-fg}'],
  dim: ['', ''],
};

/**
 * Opens the blessed screen: the only module of mltop that touches the terminal. Everything it
 * draws comes from renderFrame, already cut to the screen's size.
 */
export function openScreen(): Screen {
  const screen = blessed.screen({ smartCSR: true, fullUnicode: true, title: 'mltop', autoPadding: false, warnings: false });
  const box = blessed.box({ top: 0, left: 0, width: '100%', height: '100%', tags: true, wrap: false });
  screen.append(box);
  return {
    size: () => ({ width: Number(screen.width) || 80, height: Number(screen.height) || 24 }),
    draw(frame) {
      // Padded to the full width so the inverse table header reads as a bar, as in uwsgitop.
      const width = Number(screen.width) || 80;
      const content = frame.lines.map((line, i) => {
        const style = frame.styles[i] ?? 'plain';
        const [open, close] = tags[style];
        const text = style === 'table-header' ? line.padEnd(width) : line;
        return `${open}${blessed.escape(text)}${close}`;
      });
      box.setContent(content.join('\n'));
      screen.render();
    },
    onKey(listener) {
      screen.on('keypress', (_ch: string | undefined, key: { full?: string } | undefined) => {
        if (key?.full) listener(key.full);
      });
    },
    onResize(listener) {
      screen.on('resize', listener);
    },
    destroy() {
      screen.destroy();
    },
  };
}
