import { describe, expect, it } from 'vitest';
import { alert, crashAlert, notification } from '../../test/notify/notifications.js';
import {
  DEFAULT_BODY,
  DEFAULT_TELEGRAM_MESSAGE,
  DEFAULT_TITLE,
  TemplateError,
  checkTemplate,
  compileTemplate,
  messageData,
} from './templates.js';
import type { MarkupFormat } from './markup.js';
import type { Notification } from '../domain/notification.js';

function render(n: Notification, format: MarkupFormat = 'html', source = DEFAULT_TELEGRAM_MESSAGE): string {
  const data = messageData(n);
  data.title = compileTemplate(DEFAULT_TITLE, 'plain').render(data);
  return compileTemplate(source, format).render(data);
}

describe('default messages', () => {
  it('name cluster, namespace, pod, container, reason, exit code and the last log lines of a crash', () => {
    const text = render(notification([crashAlert('api-7f9c', { exit_code: '137' })]));
    expect(text).toContain('<b>🔴 FIRING · ContainerCrashed · prod</b>');
    expect(text).toContain('<b>payments/api-7f9c · container api</b>');
    expect(text).toContain('Cluster prod · node worker-3 · Deployment api');
    expect(text).toContain('Reason <b>Error</b> · exit code <b>137</b> (SIGKILL) · restarts 3');
    expect(text).toContain('💡 The application stopped');
    expect(text).toContain(
      '<b>Last log lines</b>\n<pre>starting api\nconnecting to db\nError: connect ECONNREFUSED 10.0.0.7:5432</pre>',
    );
    expect(text).toContain(
      '<b>Recent warning events</b>\n<pre>BackOff: Back-off restarting failed container api</pre>',
    );
  });

  it('escape hostile labels and logs so the markup stays valid', () => {
    const hostile = crashAlert('api-<b>x</b>', { log_tail: 'panic: <nil> & "quoted" </pre><script>' });
    const text = render(notification([hostile]));
    expect(text).toContain('payments/api-&lt;b&gt;x&lt;/b&gt;');
    expect(text).toContain('panic: &lt;nil&gt; &amp; &quot;quoted&quot; &lt;/pre&gt;&lt;script&gt;');
    expect(text.match(/<pre>/g)?.length).toBe(text.match(/<\/pre>/g)?.length);
    const slack = render(notification([hostile]), 'slack', DEFAULT_BODY);
    expect(slack).toContain('payments/api-&lt;b&gt;x&lt;/b&gt;');
    expect(slack).toContain('panic: &lt;nil&gt; &amp; "quoted"');
  });

  it('show only the last 25 log lines', () => {
    const log = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const text = render(notification([crashAlert('p', { log_tail: log })]));
    expect(text).toContain('line 99');
    expect(text).toContain('line 75');
    expect(text).not.toContain('line 74\n');
  });

  it('give an abnormal pod its reason and recent warning events (weirdPod)', () => {
    const a = alert(
      {
        alertname: 'ImagePullFailing',
        cluster: 'prod',
        namespace: 'web',
        pod: 'shop-1',
        reason: 'ImagePullBackOff',
        severity: 'warning',
      },
      {
        summary: 'image shop:v9 cannot be pulled',
        warning_events: 'Failed: Failed to pull image "shop:v9": not found\nBackOff: Back-off pulling image',
      },
    );
    const text = render(notification([a]));
    expect(text).toContain('🟠 <b>web/shop-1</b>');
    expect(text).toContain('Status <b>ImagePullBackOff</b> · image shop:v9 cannot be pulled');
    expect(text).toContain(
      '<pre>Failed: Failed to pull image &quot;shop:v9&quot;: not found\nBackOff: Back-off pulling image</pre>',
    );
  });

  it('announce a new pod like the seed bot did', () => {
    const a = alert(
      {
        alertname: 'PodCreated',
        cluster: 'dev',
        namespace: 'default',
        pod: 'web-5d8',
        node: 'n1',
        workload_kind: 'Deployment',
        workload: 'web',
        severity: 'info',
      },
      {},
    );
    const text = render(notification([a]));
    expect(text).toContain('🆕 <b>New pod</b> default/web-5d8');
    expect(text).toContain('Cluster dev · node n1 · Deployment web');
  });

  it('show a warning event in the event-stream format', () => {
    const a = alert(
      {
        alertname: 'WarningEvent',
        cluster: 'prod',
        namespace: 'kube-system',
        reason: 'FailedMount',
        severity: 'warning',
      },
      {
        kind: 'Pod',
        object: 'coredns-1',
        reason: 'FailedMount',
        message: 'MountVolume.SetUp failed for volume "config"',
        type: 'Warning',
        count: '12',
        first_seen: '2026-01-01T10:00:00Z',
        last_seen: '2026-01-01T11:00:00Z',
        host: 'node-2',
      },
    );
    const text = render(notification([a]), 'plain');
    for (const line of [
      'Kind: Pod',
      'Namespace: kube-system',
      'Reason: FailedMount',
      'Time: 2026-01-01T10:00:00Z → 2026-01-01T11:00:00Z',
      'Count: 12',
      'Type: Warning',
      'Host: node-2',
      'Object: coredns-1',
      'Message: MountVolume.SetUp failed for volume "config"',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('list grouped alerts compactly after the first three, and mark resolved ones', () => {
    const alerts = [
      ...Array.from({ length: 6 }, (_, i) => crashAlert(`api-${i}`)),
      crashAlert('api-old', {}, 'resolved'),
    ];
    const text = render(notification(alerts), 'plain');
    expect(text.split('\n')[0]).toBe('🔴 FIRING 6 · RESOLVED 1 · ContainerCrashed ×7 · prod');
    expect(text.match(/Last log lines/g)?.length).toBe(3);
    expect(text).toContain('🔴 payments/api-4 · container api: ContainerCrashed (Error, exit 1, restarts 3)');
    expect(text).toContain(
      '✅ payments/api-old · container api: ContainerCrashed (Error, exit 1, restarts 3)',
    );
  });

  it('mark a fully resolved group clearly', () => {
    const text = render(notification([crashAlert('api-1', {}, 'resolved')]), 'plain');
    expect(text.startsWith('✅ RESOLVED · ContainerCrashed · prod')).toBe(true);
    expect(text).toContain('Resolved 2026-01-01 12:05:00 UTC');
  });

  it('render generic (Prometheus) alerts with their summary and labels', () => {
    const a = alert(
      { alertname: 'HighLatency', instance: 'api:9090', job: 'api', severity: 'warning' },
      { summary: 'p99 over 2s' },
    );
    const text = render(notification([a]), 'plain');
    expect(text).toContain('HighLatency on api:9090');
    expect(text).toContain('p99 over 2s');
    expect(text).toContain('instance=api:9090, job=api');
  });
});

describe('user templates', () => {
  it('see the notification and the ready-made fields, with output escaped', () => {
    const t = compileTemplate(
      '{{ status }} {{ commonLabels.namespace }} {% for a in alerts %}[{{ a.labels.pod }}]{% endfor %}',
      'html',
    );
    const text = t.render(messageData(notification([crashAlert('a<b')])));
    expect(text).toBe('firing payments [a&lt;b]');
  });

  it('offer markup and log filters', () => {
    const t = compileTemplate(
      '{{ "x<y" | bold }} {{ "a\nb\nc" | tail_lines: 2 | code }} {{ "u" | link: "http://h/?a=1&b=2" }}',
      'html',
    );
    expect(t.render(messageData(notification([])))).toBe(
      '<b>x&lt;y</b> <pre>b\nc</pre> <a href="http://h/?a=1&amp;b=2">u</a>',
    );
  });

  it('are refused when they do not parse or use an unknown filter', () => {
    expect(checkTemplate('{% if status %}', 'html')).toMatch(/invalid template: tag .* not closed/);
    expect(checkTemplate('{{ status | shout }}', 'html')).toMatch(/undefined filter: shout/);
    expect(() => compileTemplate('{{ x', 'slack')).toThrow(TemplateError);
    expect(checkTemplate('{{ status }}', 'slack')).toBeUndefined();
  });

  it('cannot read files through include', () => {
    const t = compileTemplate('{% include "/etc/passwd" %}', 'plain');
    expect(() => t.render(messageData(notification([])))).toThrow();
  });
});
