/**
 * L0 of issue 14's layered Kubernetes test (every run, no cluster): `kubectl kustomize` renders
 * the base and every overlay of deploy/k8s; every object validates against the Kubernetes JSON
 * schemas (kubernetes-models, KEDA and prometheus-operator models from npm); and the project's
 * rules that schemas cannot see hold: probe paths and ports that mlserve serves, a grace
 * period covering shutdown-delay + shutdown-timeout, no replicas under an autoscaler, selectors
 * that match the pod labels, resources set the way docs/kubernetes.md explains.
 */
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import assert from 'node:assert/strict';
import { createApp } from '../../src/http/app.js';
import { parseIni } from '../../src/config/ini.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { appDeps } from '../http/appDeps.js';
import { kubectlMissing, kustomizations, one, render, type K8sObject } from './k8sManifests.js';

const missing = kubectlMissing();
console.log(missing ? `# L0 (render + validate manifests): skipped, ${missing}` : '# L0 (render + validate manifests): running (kubectl kustomize + kubernetes-models schemas)');

// apiVersion/kind -> the module of its model class (each has validate(): JSON schema of that API).
const models: Record<string, string> = {
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Service': 'kubernetes-models/v1/Service',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'autoscaling/v2/HorizontalPodAutoscaler': 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
  'keda.sh/v1alpha1/ScaledObject': '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
  'monitoring.coreos.com/v1/ServiceMonitor': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
};

async function validate(o: K8sObject): Promise<void> {
  const module = models[`${o.apiVersion}/${o.kind}`];
  if (!module) throw new Error(`no schema for ${o.apiVersion} ${o.kind}: add it to the table`);
  const exports = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = exports[o.kind]!;
  new Model(o).validate();
}

const skip = missing ?? false;

test('L0: every object of every overlay validates against its Kubernetes schema', { skip }, async () => {
  for (const dir of kustomizations) {
    const objects = render(dir);
    assert.ok(objects.length >= 5, `${dir} renders the base's objects`);
    for (const o of objects) await validate(o).catch((err: Error) => assert.fail(`${dir}: ${o.kind} ${o.metadata.name}: ${err.message}`));
  }
});

test('L0: the schemas catch a broken Deployment (so the test above can fail)', { skip }, async () => {
  const d = structuredClone(one(render('base'), 'Deployment'));
  d.spec.template.spec.containers[0].ports[0].containerPort = 'http';
  await assert.rejects(validate(d), /containerPort must be integer/);
  const h = structuredClone(one(render('base'), 'HorizontalPodAutoscaler'));
  delete h.spec.maxReplicas;
  await assert.rejects(validate(h), /maxReplicas/);
});

/** The mlserve config the ConfigMap holds, resolved as mlserve would with the Deployment's env. */
function podConfig(objects: readonly K8sObject[]) {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('mlserve-config'))!;
  const text = cm.data!['mlserve.ini']!;
  const ini = parseIni(text, { fileName: 'mlserve.ini', cwd: '/etc/mlserve', env: {} });
  return resolveConfig({ fileEntries: ini.entries, fileName: 'mlserve.ini', cwd: '/etc/mlserve', env: { MLSERVE_WORKERS: '2' } }).config;
}

for (const dir of kustomizations) {
  test(`L0 rules, ${dir}: probes, grace period, replicas, selectors, resources, security`, { skip }, async () => {
    const objects = render(dir);
    const deploy = one(objects, 'Deployment', 'mlserve');
    const pod = deploy.spec.template;
    const podLabels: Record<string, string> = pod.metadata.labels;
    const matches = (selector: Record<string, string>, what: string) => {
      assert.ok(Object.keys(selector).length > 0, `${what} selects something`);
      for (const [k, v] of Object.entries(selector)) assert.equal(podLabels[k], v, `${what} selector ${k}=${v} matches the pod labels`);
    };
    const [container] = pod.spec.containers;
    const config = podConfig(objects);

    // The entrypoint's config file is the ConfigMap's, mounted where the args say.
    assert.deepEqual(container.args, ['--config', '/etc/mlserve/mlserve.ini']);
    const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/etc/mlserve');
    assert.equal(pod.spec.volumes.find((v: { name: string }) => v.name === mount.name).configMap.name, objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('mlserve-config'))!.metadata.name);
    assert.deepEqual(config.http, { host: '0.0.0.0', port: 8080 });
    assert.equal(config.socket, null, 'the Unix socket is off in the pod');
    assert.equal(config.cheaper, 0, 'cheaper is off: the HPA scales pods');

    // Probes: on the port mlserve listens on, at paths mlserve answers 200 (in-process app).
    const app = createApp(appDeps());
    for (const [probe, path] of [['startupProbe', '/readyz'], ['readinessProbe', '/readyz'], ['livenessProbe', '/healthz']] as const) {
      const get = container[probe].httpGet;
      assert.equal(get.path, path, `${probe} path`);
      const port = container.ports.find((p: { name: string; containerPort: number }) => p.name === get.port || p.containerPort === get.port);
      assert.equal(port?.containerPort, config.http!.port, `${probe} port ${get.port} is mlserve's http port`);
      assert.equal((await app.request(path)).status, 200, `mlserve answers ${path}`);
    }

    // Grace period >= shutdown-delay + shutdown-timeout + a 5 s margin (the kubelet SIGKILLs after it).
    const grace: number = pod.spec.terminationGracePeriodSeconds;
    assert.ok(config.shutdownDelay > 0, 'the pod config sets shutdown-delay');
    assert.ok(grace >= config.shutdownDelay + config.shutdownTimeout + 5, `terminationGracePeriodSeconds ${grace} >= ${config.shutdownDelay} + ${config.shutdownTimeout} + 5`);
    // The delay covers the readiness probe noticing (period x failures) plus propagation.
    const r = container.readinessProbe;
    assert.ok(config.shutdownDelay > (r.periodSeconds ?? 10) * (r.failureThreshold ?? 3), 'shutdown-delay outlasts the readiness probe reporting the 503');

    // An autoscaler owns the replica count.
    const scalers = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject');
    assert.equal(scalers.length, 1, 'exactly one autoscaler (two would fight)');
    const scaler = scalers[0]!;
    assert.equal(scaler.spec.scaleTargetRef.name, deploy.metadata.name);
    assert.equal('replicas' in deploy.spec, false, 'no replicas under an autoscaler');
    if (scaler.kind === 'HorizontalPodAutoscaler') {
      assert.equal(scaler.spec.minReplicas, 2);
      assert.equal(scaler.spec.maxReplicas, 20);
      const cpu = scaler.spec.metrics.find((m: { type: string }) => m.type === 'Resource');
      assert.equal(cpu.resource.target.averageUtilization, 40);
      assert.ok(scaler.spec.behavior.scaleDown.stabilizationWindowSeconds >= 60, 'scale-down stabilisation window');
    } else {
      assert.equal(scaler.spec.minReplicaCount, 2);
      assert.equal(scaler.spec.maxReplicaCount, 20);
    }
    for (const m of scaler.kind === 'HorizontalPodAutoscaler' ? scaler.spec.metrics : []) {
      if (m.type === 'Pods') assert.equal(m.pods.metric.name, 'mlserve_requests_in_flight', 'the custom metric mlserve exports');
    }

    // Selectors.
    matches(deploy.spec.selector.matchLabels, 'Deployment');
    matches(one(objects, 'Service', 'mlserve').spec.selector, 'Service');
    const pdb = one(objects, 'PodDisruptionBudget', 'mlserve');
    matches(pdb.spec.selector.matchLabels, 'PodDisruptionBudget');
    assert.equal(pdb.spec.maxUnavailable, 1);
    for (const c of pod.spec.topologySpreadConstraints) matches(c.labelSelector.matchLabels, `topologySpread ${c.topologyKey}`);
    assert.deepEqual(pod.spec.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey), ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    assert.equal(one(objects, 'Service', 'mlserve').spec.type, 'ClusterIP');

    // Resources: memory request = limit, a CPU request and no CPU limit, workers from the request.
    const { requests, limits } = container.resources;
    assert.ok(requests.cpu && requests.memory, 'requests set');
    assert.equal(limits.memory, requests.memory, 'memory request = limit');
    assert.equal('cpu' in limits, false, 'no CPU limit (see the comment in deployment.yaml)');
    const workers = container.env.find((e: { name: string }) => e.name === 'MLSERVE_WORKERS');
    assert.deepEqual(workers.valueFrom.resourceFieldRef, { containerName: container.name, resource: 'requests.cpu', divisor: '1' });

    // Restricted Pod Security Standard.
    assert.equal(pod.spec.securityContext.runAsNonRoot, true);
    assert.equal(pod.spec.securityContext.seccompProfile.type, 'RuntimeDefault');
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
    const tmp = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp');
    assert.ok(pod.spec.volumes.find((v: { name: string }) => v.name === tmp.name).emptyDir, '/tmp is the writable emptyDir');

    if (dir !== 'base') {
      const sm = one(objects, 'ServiceMonitor', 'mlserve');
      assert.deepEqual(sm.spec.endpoints.map((e: { port: string; path: string }) => [e.port, e.path]), [['http', '/metrics']]);
      for (const [k, v] of Object.entries(sm.spec.selector.matchLabels as Record<string, string>)) assert.equal(one(objects, 'Service', 'mlserve').metadata.labels?.[k], v, 'ServiceMonitor selects the Service');
    }
  });
}

// L3, opt-in: with a cluster, the apiserver validates the base (admission included) without
// changing anything. The rollout, ramp and HPA watch are the manual steps of docs/kubernetes.md.
test('L3 (a real cluster): kubectl apply --dry-run=server of every overlay', { skip: process.env['KUBECONFIG'] ? missing ?? false : 'L3 skipped: KUBECONFIG is not set (no cluster on this machine; see docs/kubernetes.md "Tested where")' }, () => {
  for (const dir of kustomizations) {
    const r = spawnSync('kubectl', ['apply', '--dry-run=server', '-k', join(repoRoot, 'deploy', 'k8s', dir)], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${dir}: ${r.stderr}`);
  }
});
