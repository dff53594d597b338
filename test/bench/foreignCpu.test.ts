import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foreignCpu, machineBusyTicks, type CpuSnapshot } from '../../bench/foreignCpu.js';
import type { ProcStat } from '../../bench/procs.js';

test('busy ticks are user + nice + system of the cpu line', () => {
  const stat = 'cpu  100 5 40 9000 3 7 11 0 0 0\ncpu0 50 2 20 4500 1 3 5 0 0 0\nintr 1\n';
  assert.equal(machineBusyTicks(stat), 145);
  assert.throws(() => machineBusyTicks('intr 1\n'), /no cpu line/);
});

const proc = (comm: string, own: number, children = 0): ProcStat => ({ comm, state: 'S', ppid: 1, cpuTicks: own + children, childTicks: children });

function snap(at: number, machineTicks: number, oursTicks: number, table: Array<[number, ProcStat]>, ours: number[] = []): CpuSnapshot {
  return { at, machineTicks, oursTicks, table: new Map(table), ours: new Set(ours) };
}

test('foreign CPU is the machine\'s busy time minus the bench\'s, as a share of all CPUs', () => {
  // 2 s on 2 CPUs = 400 ticks; the machine ran 300, the bench 200: 100 ticks = 1 s = 25%.
  const before = snap(0, 1000, 500, [[10, proc('node', 50)], [20, proc('tsc', 10)]], [10]);
  const after = snap(2000, 1300, 700, [[10, proc('node', 250)], [20, proc('tsc', 110)]], [10]);
  const f = foreignCpu(before, after, 2);
  assert.equal(f.cpuS, 1);
  assert.equal(f.share, 0.25);
  assert.deepEqual(f.top, ['tsc (20) 1.0 s'], 'named by own time; the bench\'s processes are not listed');
});

test('init reaping an old orphan is not counted as a user; a test runner\'s reaped tests are; new processes count in full', () => {
  const before = snap(0, 0, 0, [[1, proc('init', 5, 0)], [20, proc('node', 10, 100)]]);
  const after = snap(1000, 0, 0, [[1, proc('init', 5, 18_000)], [20, proc('node', 12, 250)], [30, proc('jest', 40)]]);
  assert.deepEqual(foreignCpu(before, after, 2).top, ['node (20) 1.5 s', 'jest (30) 0.4 s']);
});

test('accounting noise never makes it negative, and the share is capped at 1', () => {
  assert.equal(foreignCpu(snap(0, 0, 0, []), snap(1000, 100, 120, []), 2).cpuS, 0);
  assert.equal(foreignCpu(snap(0, 0, 0, []), snap(1000, 900, 0, []), 2).share, 1);
});
