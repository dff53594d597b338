/**
 * `workers = auto`: the CPU count from fake cgroup trees (a temp directory standing in for / with
 * proc/self/cgroup and sys/fs/cgroup files, as the kernel lays them out), the smallest limit
 * winning, and its source named. The real /sys is read once at the end, for what it is here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cpusetSize, detectCpus, smallestCpuLimit } from '../../src/config/cpuLimit.js';
import { resolveConfig } from '../../src/config/resolve.js';

function fakeRoot(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mlserve-cgroup-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `${text}\n`);
  }
  return root;
}

test('cgroup v2: a pod limited to 1500m gets 2 CPUs on a 64-CPU node, from cpu.max', (t) => {
  const root = fakeRoot(t, {
    'proc/self/cgroup': '0::/',
    'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory pids',
    'sys/fs/cgroup/cpu.max': '150000 100000',
    'sys/fs/cgroup/cpuset.cpus.effective': '0-63',
  });
  assert.deepEqual(detectCpus({ root, availableParallelism: 64 }), { count: 2, source: 'cgroup v2 cpu.max 150000 100000 (/sys/fs/cgroup/cpu.max)' });
});

test("cgroup v2: a parent's quota bounds a child without one (Node 22 reads only its own cgroup)", (t) => {
  const root = fakeRoot(t, {
    'proc/self/cgroup': '0::/kubepods/pod1/ctr',
    'sys/fs/cgroup/kubepods/pod1/ctr/cgroup.controllers': 'cpu',
    'sys/fs/cgroup/kubepods/pod1/ctr/cpu.max': 'max 100000',
    'sys/fs/cgroup/kubepods/pod1/cpu.max': '300000 100000',
    'sys/fs/cgroup/kubepods/cpu.max': 'max 100000',
  });
  const cpus = detectCpus({ root, availableParallelism: 8 });
  assert.equal(cpus.count, 3);
  assert.match(cpus.source, /kubepods\/pod1\/cpu\.max/);
});

test('cgroup v2 without a quota: the cpuset wins over a larger affinity count; no limit at all gives availableParallelism', (t) => {
  const withSet = fakeRoot(t, {
    'proc/self/cgroup': '0::/',
    'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu',
    'sys/fs/cgroup/cpu.max': 'max 100000',
    'sys/fs/cgroup/cpuset.cpus.effective': '2-3,6',
  });
  assert.deepEqual(detectCpus({ root: withSet, availableParallelism: 16 }), { count: 3, source: 'cgroup cpuset 2-3,6 (/sys/fs/cgroup/cpuset.cpus.effective)' });
  const none = fakeRoot(t, { 'proc/self/cgroup': '0::/', 'sys/fs/cgroup/cgroup.controllers': 'cpu', 'sys/fs/cgroup/cpu.max': 'max 100000' });
  assert.deepEqual(detectCpus({ root: none, availableParallelism: 4 }), { count: 4, source: 'os.availableParallelism()' });
});

test('cgroup v1: cfs_quota_us / cfs_period_us rounds up (Node 20 ignores it); -1 is no quota', (t) => {
  const limited = fakeRoot(t, {
    'proc/self/cgroup': '4:memory:/docker/abc\n3:cpuset:/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/',
    // Namespaced mount: the host path in /proc/self/cgroup does not exist, the container's cgroup is the root.
    'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '50000',
    'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000',
    'sys/fs/cgroup/cpuset/cpuset.cpus': '0-7',
    'sys/fs/cgroup/cpuset/cpuset.effective_cpus': '0-7',
  });
  assert.deepEqual(detectCpus({ root: limited, availableParallelism: 8 }), {
    count: 1,
    source: 'cgroup v1 cpu.cfs_quota_us/cpu.cfs_period_us 50000 100000 (/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us)',
  });
  const unlimited = fakeRoot(t, {
    'proc/self/cgroup': '2:cpu,cpuacct:/\n1:cpuset:/',
    'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '-1',
    'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000',
    'sys/fs/cgroup/cpuset/cpuset.cpus': '0-5',
  });
  assert.deepEqual(detectCpus({ root: unlimited, availableParallelism: 8 }), { count: 6, source: 'cgroup cpuset 0-5 (/sys/fs/cgroup/cpuset/cpuset.cpus)' });
});

test('cgroup v1 with the path present under the mount (no cgroup namespace)', (t) => {
  const root = fakeRoot(t, {
    'proc/self/cgroup': '2:cpu,cpuacct:/kubepods/burstable/pod9/ctr',
    'sys/fs/cgroup/cpu,cpuacct/kubepods/burstable/pod9/ctr/cpu.cfs_quota_us': '250000',
    'sys/fs/cgroup/cpu,cpuacct/kubepods/burstable/pod9/ctr/cpu.cfs_period_us': '100000',
    'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '-1',
    'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000',
  });
  assert.equal(detectCpus({ root, availableParallelism: 32 }).count, 3);
});

test('no /proc at all (not Linux): availableParallelism', (t) => {
  const root = fakeRoot(t, {});
  assert.deepEqual(detectCpus({ root, availableParallelism: 2 }), { count: 2, source: 'os.availableParallelism()' });
});

test('smallestCpuLimit skips malformed readings; cpusetSize parses lists', () => {
  assert.deepEqual(
    smallestCpuLimit([{ kind: 'cpu.max', path: '/x', text: 'garbage' }, { kind: 'cpuset', path: '/y', text: '0-' }], 3),
    { count: 3, source: 'os.availableParallelism()' },
  );
  assert.equal(cpusetSize('0-3,8'), 5);
  assert.equal(cpusetSize('5'), 1);
  assert.equal(cpusetSize(''), null);
  assert.equal(cpusetSize('3-1'), null);
});

test('workers = auto resolves to the detected count, reports its source, and clamps to 256', () => {
  const cpus = () => ({ count: 3, source: 'cgroup v2 cpu.max 300000 100000 (/sys/fs/cgroup/cpu.max)' });
  const r = resolveConfig({ cwd: '/srv', env: { MLSERVE_WORKERS: 'auto' }, cpus });
  assert.equal(r.config.workers, 3);
  assert.deepEqual(r.auto, [{ name: 'workers', value: 3, source: 'cgroup v2 cpu.max 300000 100000 (/sys/fs/cgroup/cpu.max)' }]);
  const big = resolveConfig({ cwd: '/srv', argv: ['--workers', 'auto'], cpus: () => ({ count: 512, source: 'os.availableParallelism()' }) });
  assert.equal(big.config.workers, 256);
  // A stronger source that is not auto: nothing to report.
  const over = resolveConfig({ cwd: '/srv', env: { MLSERVE_WORKERS: 'auto' }, argv: ['--workers', '2'], cpus });
  assert.equal(over.config.workers, 2);
  assert.deepEqual(over.auto, []);
  // auto is only for options that take it; a typo names the choices.
  assert.throws(() => resolveConfig({ cwd: '/srv', env: { MLSERVE_LISTEN: 'auto' } }), /MLSERVE_LISTEN="auto": expected an integer from 1 to 100000$/);
  assert.throws(() => resolveConfig({ cwd: '/srv', env: { MLSERVE_WORKERS: 'auot' } }), /expected an integer from 1 to 256, or auto/);
});

test('on this machine: a positive count with a named source', () => {
  const cpus = detectCpus();
  assert.ok(cpus.count >= 1);
  console.log(`# workers = auto here: ${cpus.count} (${cpus.source})`);
});
