/** uWSGI's cheaper subsystem as pure decisions: (state, snapshot) -> spawn / cheap / nothing. */
export { createCheaper, type Cheaper, type CheaperAction } from './createCheaper.js';
export { cheaperSnapshot, type CheaperObservation } from './cheaperSnapshot.js';
export { initialWorkers } from './initialWorkers.js';
export { rssLimit, withRssLimits, type RssLimit } from './rssLimits.js';
export { decheaped, pickCheapVictim, pickCheapVictims, pickSpawnSlots } from './slots.js';
export { spare, type SpareState } from './spare.js';
export { spare2, type Spare2State } from './spare2.js';
export { backlog, type BacklogState } from './backlog.js';
export { busyness, type BusynessState } from './busyness.js';
export { manual, setManualTarget, type ManualState } from './manual.js';
export { isActive, countActive } from './active.js';
export type * from './types.js';
export { BUSY_FOR_MOST, busyFractions, busyMark, packedBusy, type BusyMark } from './busyFraction.js';
