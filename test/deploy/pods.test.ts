/**
 * L2 of issue 14's layered Kubernetes test: three mlserve "pods", each in its own network
 * namespace with a veth to a "node" namespace that holds the fronts: (a) nginx with an upstream
 * of the three (retrying idempotent requests on the next upstream), (b) a kube-proxy-like
 * Service: an iptables DNAT chain in nat OUTPUT choosing an endpoint at random (statistic
 * module), conntrack keeping established flows. Under load one pod is terminated (SIGTERM) and
 * its endpoint removed 1.5 s later, as the endpoints controller and kube-proxy do; through nginx
 * another is also killed (SIGKILL). With shutdown-delay the counts must be zero; without it they
 * are printed for contrast. Nothing touches the host's network: every address, route and rule
 * lives in namespaces this test creates and deletes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineLog } from '../helpers/lines.js';
import { mlserveBin, repoRoot } from '../helpers/paths.js';
import { onProcessExit } from '../helpers/cleanup.js';

const LAG_MS = 1500; // endpoint removal after SIGTERM (the issue's measured lag)
const DELAY_S = 3;

function whyNot(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (network namespaces need CAP_NET_ADMIN)';
  for (const [tool, args] of [['ip', ['-V']], ['iptables', ['--version']], ['nginx', ['-v']]] as const) {
    if (spawnSync(tool === 'nginx' ? '/usr/sbin/nginx' : tool, [...args], { timeout: 10_000 }).status !== 0) return `${tool} is not available`;
  }
  const probe = `w14probe${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}
const reason = whyNot();
console.log(reason ? `# L2 (three pods in network namespaces): skipped, ${reason}` : '# L2 (three pods in network namespaces behind nginx and an iptables DNAT Service): running');

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });

interface Cluster {
  node: string;
  pods: { ns: string; ip: string; child: ChildProcess }[];
  dir: string;
  destroy(): void;
}

async function startCluster(tag: string, delay: number): Promise<Cluster> {
  const id = `${process.pid % 100000}${tag}`;
  const node = `w14n${id}`;
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-l2-'));
  const namespaces = [node];
  const pods: Cluster['pods'] = [];
  const destroy = () => {
    for (const p of pods) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onProcessExit(destroy);
  sh('ip', ['netns', 'add', node]);
  sh('ip', ['-n', node, 'link', 'set', 'lo', 'up']);
  // The Service's virtual IP: local in the node namespace, so OUTPUT's DNAT sees it.
  sh('ip', ['-n', node, 'addr', 'add', '10.214.100.1/32', 'dev', 'lo']);
  for (let i = 1; i <= 3; i++) {
    const ns = `w14p${i}${id}`;
    namespaces.push(ns);
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['link', 'add', `veth${i}`, 'netns', node, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh('ip', ['-n', node, 'addr', 'add', `10.214.${i}.1/24`, 'dev', `veth${i}`]);
    sh('ip', ['-n', node, 'link', 'set', `veth${i}`, 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', `10.214.${i}.2/24`, 'dev', 'eth0']);
    sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    // Replies to the Service IP (the source the node picks for it) go back through the node.
    sh('ip', ['-n', ns, 'route', 'add', 'default', 'via', `10.214.${i}.1`]);
  }
  const started = [1, 2, 3].map(async (i) => {
    const ns = `w14p${i}${id}`;
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, mlserveBin, '--config', 'config/mlserve.ini', '--socket=', '--http', '0.0.0.0:8080',
      '--workers', '1', '--cheaper', '0', '--shutdown-delay', String(delay), '--shutdown-timeout', '5', '--stats='], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    pods.push({ ns, ip: `10.214.${i}.2`, child });
    const lines = new LineLog<string>(child.stdout!, (l) => l);
    await lines.waitFor((l) => l.includes('"msg":"ready"'), { timeoutMs: 30_000, what: `pod ${i} ready` });
  });
  await Promise.all(started);
  pods.sort((a, b) => a.ip.localeCompare(b.ip));
  return { node, pods, dir, destroy: () => { unregister(); destroy(); } };
}

/**
 * kube-proxy's iptables mode, reduced: one chain, endpoint i chosen with probability 1/(n-i),
 * replaced atomically with iptables-restore --noflush as kube-proxy does (a flush followed by
 * appends leaves a moment with no endpoint, whose refusals would be the test's own).
 */
function setEndpoints(c: Cluster, ips: string[]): void {
  const rules = ips.map((ip, i) => {
    const left = ips.length - i;
    const random = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(5)} ` : '';
    return `-A MLSVC -p tcp ${random}-j DNAT --to-destination ${ip}:8080`;
  });
  const first = spawnSync('ip', ['netns', 'exec', c.node, 'iptables', '-w', '-t', 'nat', '-L', 'MLSVC', '-n']).status !== 0;
  const jump = first ? ['-A OUTPUT -d 10.214.100.1/32 -p tcp --dport 80 -j MLSVC'] : [];
  const input = ['*nat', ':MLSVC - [0:0]', ...jump, ...rules, 'COMMIT', ''].join('\n');
  execFileSync('ip', ['netns', 'exec', c.node, 'iptables-restore', '-w', '--noflush'], { input, timeout: 30_000 });
}

function nginxConf(c: Cluster, ips: string[]): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${c.dir}/${t};`).join(' ');
  return `worker_processes 1; error_log ${c.dir}/error.log; pid ${c.dir}/nginx.pid;
events { worker_connections 1024; }
http { access_log off; ${temp}
  upstream pods { ${ips.map((ip) => `server ${ip}:8080 max_fails=1 fail_timeout=10s;`).join(' ')} keepalive 16; }
  server { listen 127.0.0.1:8000;
    location / { proxy_pass http://pods; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502; proxy_connect_timeout 1s; } } }
`;
}

async function startNginx(c: Cluster, ips: string[]): Promise<(ips: string[]) => void> {
  mkdirSync(join(c.dir, 'proxy'), { recursive: true });
  const conf = join(c.dir, 'nginx.conf');
  writeFileSync(conf, nginxConf(c, ips));
  const nginx = ['netns', 'exec', c.node, '/usr/sbin/nginx', '-p', c.dir, '-c', conf];
  sh('ip', nginx); // daemonises; its pid file is in c.dir and the namespace's deletion does not stop it, so:
  onProcessExit(() => spawnSync('ip', [...nginx, '-s', 'stop']));
  return (next) => {
    writeFileSync(conf, nginxConf(c, next));
    sh('ip', [...nginx, '-s', 'reload']);
  };
}

interface Counts { ok: number; failed: number; refused: number; errors: Record<string, number>; statuses: Record<string, number> }

function load(c: Cluster, url: string, ms: number): { done: Promise<Counts> } {
  const child = spawn('ip', ['netns', 'exec', c.node, process.execPath, join(repoRoot, 'dist', 'test', 'deploy', 'fixtures', 'loadClient.js'), url, String(ms), '4'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  return { done: once(child, 'exit').then(() => JSON.parse(out) as Counts) };
}

/** Runs the load, then SIGTERM to pod 2 (and SIGKILL to pod 1 when `kill`), removing their endpoints as kube-proxy would. */
async function scenario(front: 'nginx' | 'dnat', delay: number): Promise<Counts & { exits: (number | null)[] }> {
  const c = await startCluster(`${front[0]}${delay}`, delay);
  try {
    const ips = c.pods.map((p) => p.ip);
    let update: (ips: string[]) => void;
    let url: string;
    if (front === 'nginx') {
      update = await startNginx(c, ips);
      url = 'http://127.0.0.1:8000/predict?text=crude%20oil';
    } else {
      setEndpoints(c, ips);
      update = (next) => setEndpoints(c, next);
      url = 'http://10.214.100.1/predict?text=crude%20oil';
    }
    const run = load(c, url, 1000 + LAG_MS + 2500);
    await new Promise((r) => setTimeout(r, 1000)); // load before the disruption: a point in the schedule, not a wait for an event
    const [killed, terminated] = [c.pods[0]!, c.pods[1]!];
    const exits = [once(terminated.child, 'exit').then(([code]) => code as number | null)];
    if (front === 'nginx') killed.child.kill('SIGKILL'); // nginx only: a dead pod's endpoint would linger for a Service too
    terminated.child.kill('SIGTERM');
    // The endpoints controller + kube-proxy (or an ingress controller) drop the endpoint after a lag.
    setTimeout(() => update(ips.filter((ip) => ip !== terminated.ip && (front !== 'nginx' || ip !== killed.ip))), LAG_MS);
    const counts = await run.done;
    return { ...counts, exits: await Promise.all(exits) };
  } finally {
    if (front === 'nginx') spawnSync('ip', ['netns', 'exec', c.node, '/usr/sbin/nginx', '-p', c.dir, '-c', join(c.dir, 'nginx.conf'), '-s', 'stop']);
    c.destroy();
  }
}

const skip = reason ?? false;

test('L2: through nginx (upstream of three, retry of idempotent GETs), SIGKILL one pod and SIGTERM another: zero failed GETs', { skip, timeout: 120_000 }, async () => {
  const on = await scenario('nginx', DELAY_S);
  const off = await scenario('nginx', 0);
  console.log(`# L2 nginx, shutdown-delay ${DELAY_S} s: ${JSON.stringify(on)}`);
  console.log(`# L2 nginx, shutdown-delay 0 (contrast): ${JSON.stringify(off)}`);
  assert.ok(on.ok > 50, 'load ran');
  assert.equal(on.failed + on.refused + Object.values(on.errors).reduce((a, b) => a + b, 0), 0, 'no GET failed through nginx');
  assert.deepEqual(on.exits, [0], 'the terminated pod exited 0');
});

test('L2: through an iptables DNAT Service, SIGTERM one pod, endpoint removed 1.5 s later: zero refused connections with shutdown-delay', { skip, timeout: 120_000 }, async () => {
  const on = await scenario('dnat', DELAY_S);
  const off = await scenario('dnat', 0);
  console.log(`# L2 DNAT Service, shutdown-delay ${DELAY_S} s: ${JSON.stringify(on)}`);
  console.log(`# L2 DNAT Service, shutdown-delay 0 (contrast): ${JSON.stringify(off)}`);
  assert.ok(on.ok > 50 && off.ok > 50, 'load ran');
  assert.equal(on.refused, 0, 'no connection refused while the endpoint was still in the Service');
  assert.equal(on.failed, 0);
  assert.deepEqual(on.exits, [0]);
  assert.ok(off.refused > 0, `without the delay, connections routed to the closed pod are refused (${off.refused}): the test can tell`);
});
