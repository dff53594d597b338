import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../helpers/paths.js';

/** A rendered Kubernetes object, loosely typed: the tests read fields by path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

/** The kustomize directories under deploy/k8s: the base and each overlay. */
export const kustomizations = ['base', 'overlays/servicemonitor', 'overlays/hpa-inflight', 'overlays/keda'] as const;

/** Why kubectl cannot render here, or null when it can. */
export function kubectlMissing(): string | null {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 20_000 });
  return r.error ? `kubectl is not installed (${r.error.message})` : r.status === 0 ? null : `kubectl version --client failed: ${r.stderr}`;
}

/** `kubectl kustomize deploy/k8s/<dir>`, parsed into objects. */
export function render(dir: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', join(repoRoot, 'deploy', 'k8s', dir)], { encoding: 'utf8', timeout: 60_000 });
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length > 0) throw new Error(`${dir}: ${d.errors[0]!.message}`);
    return d.toJS() as K8sObject;
  });
}

/** The one object of `kind` (and `name`) in `objects`; throws naming what is missing. */
export function one(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const hits = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (hits.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${hits.length}`);
  return hits[0]!;
}
