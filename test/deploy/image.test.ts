/**
 * L1 of issue 14's layered Kubernetes test: the real image, built offline by
 * deploy/image/build.sh (the cached mmdebstrap rootfs of deploy/rootfs), run under podman the way
 * the base Deployment runs it (its args, env, memory, CPU request, security context, an emptyDir
 * /tmp and the ConfigMap's mlserve.ini), polled for readiness as the kubelet does, asked for
 * predictions, then terminated: /readyz 503 at once, requests during shutdown-delay served,
 * exit 0 within terminationGracePeriodSeconds. Skips with the reason when podman cannot run here.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { httpRequest } from '../helpers/http.js';
import { findFreePort } from '../helpers/ports.js';
import { kubectlMissing, one, render } from './k8sManifests.js';

const tag = 'localhost/mlserve:l1-test';
const layer = join(repoRoot, '.cache', 'image', 'mlserve-rootfs.tar');

function whyNot(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (mmdebstrap and rootful podman need it)';
  for (const tool of ['podman', 'mmdebstrap']) {
    if (spawnSync(tool, ['--version'], { timeout: 20_000 }).status !== 0) return `${tool} is not installed`;
  }
  return kubectlMissing();
}
const reason = whyNot();
console.log(reason ? `# L1 (the image under podman): skipped, ${reason}` : '# L1 (the image under podman): running (deploy/image/build.sh, podman run with the Deployment\'s settings)');
const skip = reason ?? false;

let built = false;
function buildImage(): void {
  if (built) return;
  // Bounded: the rootfs and npm ci results are cached; a cold cache builds in about a minute.
  execFileSync(join(repoRoot, 'deploy', 'image', 'build.sh'), ['--tag', tag], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  built = true;
}

function podman(...args: string[]): string {
  return execFileSync('podman', args, { encoding: 'utf8', timeout: 120_000 }).trim();
}

/** The Dockerfile's runtime lines, the ones build.sh applies to its image. */
function dockerfileRuntime(): Record<string, string[]> {
  const text = readFileSync(join(repoRoot, 'deploy', 'image', 'Dockerfile'), 'utf8');
  const out: Record<string, string[]> = {};
  for (const line of text.slice(text.indexOf('# --- runtime')).split('\n')) {
    const m = /^(USER|WORKDIR|ENV|EXPOSE|ENTRYPOINT|CMD) (.*)$/.exec(line);
    if (m) (out[m[1]!] ??= []).push(m[2]!);
  }
  return out;
}

// The image is 0.5 GB: do not leave one behind per run.
after(() => {
  if (built) spawnSync('podman', ['rmi', '-f', tag], { timeout: 120_000 });
});

test('L1: the offline image matches the Dockerfile (runtime settings and file layout)', { skip, timeout: 600_000 }, () => {
  buildImage();
  const config = JSON.parse(podman('image', 'inspect', tag, '--format', '{{json .Config}}')) as Record<string, unknown>;
  const rt = dockerfileRuntime();
  assert.deepEqual(config['Entrypoint'], JSON.parse(rt['ENTRYPOINT']![0]!));
  assert.deepEqual(config['Cmd'], JSON.parse(rt['CMD']![0]!));
  assert.equal(config['User'], rt['USER']![0]);
  assert.equal(config['WorkingDir'], rt['WORKDIR']![0]);
  assert.deepEqual(config['Env'], rt['ENV']);
  assert.deepEqual(Object.keys(config['ExposedPorts'] as object), rt['EXPOSE']!.map((p) => `${p}/tcp`));
  // Every path the Dockerfile's final stage puts in place is in build.sh's layer.
  const files = new Set(execFileSync('tar', ['-tf', layer], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n').map((f) => f.replace(/^\.\//, '/').replace(/\/$/, '')));
  const dockerfile = readFileSync(join(repoRoot, 'deploy', 'image', 'Dockerfile'), 'utf8');
  const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const wanted = [...final.matchAll(/^COPY --from=\S+ \S+ (\S+)$/gm)].map((m) => m[1]!);
  wanted.push(...[...final.matchAll(/ln -s \S+ (\S+)/g)].map((m) => m[1]!), '/usr/bin/tini', '/srv/mlserve/node_modules/piscina/package.json', '/srv/mlserve/models/reuters/1/model.json');
  for (const path of wanted) assert.ok(files.has(path), `${path} (from the Dockerfile) is in the image`);
  assert.equal(files.has('/srv/mlserve/node_modules/typescript/package.json'), false, 'no devDependencies (npm ci --omit=dev)');
  assert.match(podman('run', '--rm', ...ulimits, '--entrypoint', '/usr/local/bin/node', tag, '--version'), /^v2\d\./);
  console.log('# the Dockerfile itself is not built here: no registry to pull debian:bookworm-slim from (docs/kubernetes.md)');
});

// This machine's runc cannot raise RLIMIT_NOFILE/NPROC to podman's defaults; lower limits work.
const ulimits = ['--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];

test('L1: under podman as the Deployment runs it: ready, predicts, drains on SIGTERM within the grace period', { skip, timeout: 600_000 }, async () => {
  buildImage();
  const objects = render('base');
  const pod = one(objects, 'Deployment', 'mlserve').spec.template;
  const c = pod.spec.containers[0];
  const ini = one(objects, 'ConfigMap').data!['mlserve.ini']!;
  const delay = Number(/^shutdown-delay = (\d+)$/m.exec(ini)![1]);
  const grace: number = pod.spec.terminationGracePeriodSeconds;
  const dir = mkdtempSync(join(tmpdir(), 'mlserve-l1-'));
  writeFileSync(join(dir, 'mlserve.ini'), ini, { mode: 0o644 });
  chmodSync(dir, 0o755); // a ConfigMap volume is world-readable; mkdtemp's 0700 is not
  const port = await findFreePort();
  const cpu = Number(c.resources.requests.cpu);
  const sc = { ...pod.spec.securityContext, ...c.securityContext };
  const name = `mlserve-l1-${process.pid}`;
  const args = [
    'run', '-d', '--name', name, ...ulimits,
    '--memory', c.resources.limits.memory.replace(/i$/, '').toLowerCase(),
    // No CPU limit, as in the Deployment: the request becomes CPU shares (the kubelet's cpu.weight).
    '--cpu-shares', String(cpu * 1024),
    '-e', `MLSERVE_WORKERS=${Math.ceil(cpu)}`, // the resourceFieldRef requests.cpu, divisor 1
    '--user', `${sc.runAsUser}:${sc.runAsGroup}`,
    ...(sc.readOnlyRootFilesystem ? ['--read-only', '--read-only-tmpfs=false'] : []),
    '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', // seccomp: podman's default profile = RuntimeDefault
    '--tmpfs', '/tmp:size=64m', '-v', `${dir}:/etc/mlserve:ro`,
    '-p', `127.0.0.1:${port}:8080`, tag, ...c.args,
  ];
  podman(...args);
  try {
    // The kubelet's startupProbe: every periodSeconds until success, failureThreshold times.
    const startup = c.startupProbe;
    let ready = false;
    for (let i = 0; i < startup.failureThreshold && !ready; i++) {
      ready = await httpRequest({ port, path: startup.httpGet.path, timeoutMs: 1000 }).then((r) => r.status === 200, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, startup.periodSeconds * 1000)); // the probe's period, not a wait for an event
    }
    assert.ok(ready, `not ready within the startupProbe budget:\n${podman('logs', name)}`);
    const predicted = await httpRequest<{ prediction: string }>({ port, path: '/predict?text=crude%20oil%20prices%20rose' });
    assert.equal(predicted.status, 200, predicted.body);
    const logs = podman('logs', name);
    assert.match(logs, new RegExp(`"workers":${Math.ceil(cpu)}`), 'workers from MLSERVE_WORKERS');
    assert.equal(podman('exec', name, 'id', '-u'), String(sc.runAsUser));
    assert.notEqual(spawnSync('podman', ['exec', name, 'touch', '/srv/mlserve/x']).status, 0, 'the root filesystem is read-only');

    // A request in flight at SIGTERM: headers sent, body still coming.
    const held = connect(port, '127.0.0.1');
    await once(held, 'connect');
    const body = JSON.stringify({ texts: ['grain exports'] });
    held.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 4)}`);
    let heldAnswer = '';
    held.on('data', (d) => (heldAnswer += d.toString()));
    const t0 = Date.now();
    podman('kill', '--signal', 'TERM', name); // to tini (PID 1), which forwards it to mlserve
    let notReadyAt = 0;
    while (!notReadyAt) {
      const r = await httpRequest({ port, path: '/readyz', timeoutMs: 1000 });
      if (r.status === 503) notReadyAt = Date.now();
      assert.ok(Date.now() - t0 < 1000, 'readyz turned 503 within a second of SIGTERM');
    }
    let served = 0;
    while (Date.now() - t0 < (delay - 1) * 1000) {
      const r = await httpRequest({ port, path: '/predict?text=wheat' });
      assert.equal(r.status, 200, `a request ${Date.now() - t0} ms into the delay failed: ${r.body}`);
      served++;
    }
    held.write(body.slice(4));
    await once(held, 'end');
    assert.match(heldAnswer, /^HTTP\/1\.1 200/, 'the request in flight at SIGTERM was answered');
    const code = Number(podman('wait', name));
    const took = Date.now() - t0;
    assert.equal(code, 0, podman('logs', name));
    assert.ok(took < grace * 1000, `exited ${took} ms after SIGTERM, within terminationGracePeriodSeconds ${grace}`);
    console.log(`# L1: readyz 503 after ${notReadyAt - t0} ms, ${served} requests served during the ${delay} s delay, exit 0 after ${took} ms (grace ${grace} s)`);
  } finally {
    spawnSync('podman', ['rm', '-f', name], { timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
  }
});
