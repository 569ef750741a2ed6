import { describe, expect, it } from 'vitest';
import { Promql, anyOf, promDuration, promString } from './promql-queries.js';

describe('PromQL building', () => {
  it('quotes label values and escapes regex metacharacters', () => {
    expect(promString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(anyOf(['shop', 'a.b', 'x|y'])).toBe('shop|a\\.b|x\\|y');
    expect(promDuration(120_000)).toBe('120s');
    expect(promDuration(10)).toBe('1s');
  });

  it('adds the namespace filter only to pod-level selectors, and series labels to all', () => {
    const p = new Promql({ namespaces: ['shop', 'ops'], seriesLabels: { cluster: 'prod' } });
    expect(p.podsRunning()).toBe(
      'sum by (namespace) (kube_pod_status_phase{phase="Running", namespace=~"shop|ops", cluster="prod"})',
    );
    expect(p.nodeAllocatable()).toBe(
      'max by (node, resource) (kube_node_status_allocatable{resource=~"cpu|memory", cluster="prod"})',
    );
    expect(p.nodeMemoryRequestsPercent()).not.toContain('namespace=~');
  });

  it('joins node-exporter series to node names through node_uname_info by default', () => {
    expect(new Promql().nodeMemoryAvailablePercent()).toBe(
      'max by (node) (label_replace((100 * node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) * on (instance, job) group_left (nodename) max by (instance, job, nodename) (node_uname_info), "node", "$1", "nodename", "(.+)"))',
    );
  });

  it('reads the node name from a relabelled label when one is configured', () => {
    expect(new Promql({ nodeLabel: 'kubernetes_node' }).nodeMemoryUsedBytes()).toBe(
      'max by (node) (label_replace(node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes, "node", "$1", "kubernetes_node", "(.+)"))',
    );
  });

  it('divides by limits only where a limit exists, and lists the containers without one', () => {
    const p = new Promql();
    expect(p.containerMemoryPercentOfLimit()).toContain(
      '/ (max by (namespace, pod, container) (kube_pod_container_resource_limits{resource="memory"}) > 0)',
    );
    expect(p.containersWithoutLimit('cpu', 60_000)).toMatch(
      /^max by \(namespace, pod, container\) \(rate\(container_cpu_usage_seconds_total\{container!="", container!="POD"\}\[60s\]\)\) unless on \(namespace, pod, container\)/,
    );
  });

  it('counts a pod as abnormal once, whether its phase or a container says so', () => {
    expect(new Promql().podsAbnormal()).toBe(
      'count by (namespace) (max by (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Failed|Unknown"} == 1) or on (namespace, pod) max by (namespace, pod) (kube_pod_container_status_waiting_reason{reason=~"CrashLoopBackOff|ImagePullBackOff|ErrImagePull|InvalidImageName|CreateContainerConfigError|CreateContainerError|RunContainerError"} == 1))',
    );
  });
});
