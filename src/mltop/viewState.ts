import { sortKeys } from './columns.js';

/** What the keys change: mltop's view settings. */
export interface ViewState {
  sort: string;
  reverse: boolean;
  fast: boolean;
  help: boolean;
}

/** The state mltop starts with: uwsgitop's order (requests, largest first), 1 s refresh. */
export const initialViewState: ViewState = Object.freeze({ sort: 'REQ', reverse: false, fast: false, help: false });

/**
 * The state after key `key` (blessed's key name: `q`, `s`, `C-c`), or `'quit'`. Pure; unknown
 * keys leave the state as it is.
 *
 * @example
 * applyKey(initialViewState, 's').sort // 'WID'
 */
export function applyKey(state: ViewState, key: string): ViewState | 'quit' {
  switch (key) {
    case 'q':
    case 'C-c':
      return 'quit';
    case 'f':
      return { ...state, fast: !state.fast };
    case 's': {
      const next = (sortKeys.indexOf(state.sort) + 1) % sortKeys.length;
      return { ...state, sort: sortKeys[next]! };
    }
    case 'r':
      return { ...state, reverse: !state.reverse };
    case 'h':
    case '?':
      return { ...state, help: !state.help };
    case 'escape':
      return state.help ? { ...state, help: false } : state;
    default:
      return state;
  }
}
