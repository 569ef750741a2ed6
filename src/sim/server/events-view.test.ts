import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../object-store.js';
import { findResource, resource } from '../resources.js';
import { ApiStatusError } from '../status-error.js';
import { coreFieldSelector, fromEventsV1, toEventsV1 } from './events-view.js';
import { fieldSelectorFor } from './field-selectors.js';

const CORE: KubeObject = {
  kind: 'Event',
  apiVersion: 'v1',
  metadata: { name: 'p.1', namespace: 'shop', uid: 'u1', resourceVersion: '7' },
  involvedObject: { kind: 'Pod', namespace: 'shop', name: 'p', uid: 'pu' },
  reason: 'BackOff',
  message: 'Back-off restarting failed container',
  source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: '2026-11-23T11:50:00Z',
  lastTimestamp: '2026-11-23T11:59:00Z',
  count: 5,
  type: 'Warning',
  eventTime: null,
  reportingComponent: 'kubelet',
  reportingInstance: 'node-1',
};

describe('events.k8s.io view of core events', () => {
  it('converts field for field, as the API server does', () => {
    expect(toEventsV1(CORE)).toEqual({
      kind: 'Event',
      apiVersion: 'events.k8s.io/v1',
      metadata: CORE.metadata,
      // null in the real API server; the first-seen time here, so the object passes its schema
      eventTime: '2026-11-23T11:50:00.000000Z',
      reportingController: 'kubelet',
      reportingInstance: 'node-1',
      reason: 'BackOff',
      regarding: CORE.involvedObject,
      note: 'Back-off restarting failed container',
      type: 'Warning',
      deprecatedSource: { component: 'kubelet', host: 'node-1' },
      deprecatedFirstTimestamp: '2026-11-23T11:50:00Z',
      deprecatedLastTimestamp: '2026-11-23T11:59:00Z',
      deprecatedCount: 5,
    });
  });

  it('keeps series and eventTime of new-style events, and converts back', () => {
    const view: KubeObject = {
      kind: 'Event',
      apiVersion: 'events.k8s.io/v1',
      metadata: { name: 'n.1', namespace: 'default' },
      eventTime: '2026-11-23T11:00:00.123000Z',
      series: { count: 3, lastObservedTime: '2026-11-23T11:05:00.000000Z' },
      reportingController: 'node-controller',
      reportingInstance: 'cp',
      action: 'NodeNotReady',
      reason: 'NodeNotReady',
      regarding: { kind: 'Node', name: 'n1' },
      note: 'Node n1 status is now: NodeNotReady',
      type: 'Normal',
    };
    const core = fromEventsV1(view);
    expect(core).toMatchObject({
      apiVersion: 'v1',
      involvedObject: { kind: 'Node', name: 'n1' },
      message: 'Node n1 status is now: NodeNotReady',
      series: { count: 3 },
      reportingComponent: 'node-controller',
      source: {},
      firstTimestamp: null,
    });
    expect(toEventsV1(core)).toMatchObject({ ...view, deprecatedSource: {}, deprecatedFirstTimestamp: null });
  });

  it('maps events.k8s.io field selectors onto the stored fields', () => {
    expect(
      coreFieldSelector([
        { field: 'regarding.name', op: '=', value: 'p' },
        { field: 'reportingController', op: '!=', value: 'x' },
      ]),
    ).toEqual([
      { field: 'involvedObject.name', op: '=', value: 'p' },
      { field: 'reportingComponent', op: '!=', value: 'x' },
    ]);
  });
});

describe('field selectors', () => {
  it('accepts each resource field labels and maps aliases to stored paths', () => {
    expect(fieldSelectorFor(resource('pods'), 'spec.nodeName=n1,status.phase!=Running')).toHaveLength(2);
    expect(fieldSelectorFor(resource('events'), 'source=kubelet')).toEqual([
      { field: 'source.component', op: '=', value: 'kubelet' },
    ]);
    expect(fieldSelectorFor(resource('batch/jobs'), 'status.successful=1')).toEqual([
      { field: 'status.succeeded', op: '=', value: '1' },
    ]);
    expect(fieldSelectorFor(findResource('events.k8s.io', 'v1', 'events')!, 'regarding.uid=u')).toEqual([
      { field: 'involvedObject.uid', op: '=', value: 'u' },
    ]);
  });

  it('refuses unsupported field labels with the API server 400', () => {
    let error: unknown;
    try {
      fieldSelectorFor(resource('apps/deployments'), 'spec.replicas=3');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiStatusError);
    expect(error).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'field label not supported: spec.replicas',
    });
  });
});
