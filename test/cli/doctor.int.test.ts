// `lookout doctor` against real parts: the simulated API server, a local Bot API server, a
// webhook receiver, and an address nothing listens on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../fakes/telegram-server.js';
import { WebhookRecorder } from '../fakes/webhook-recorder.js';
import { runCli } from '../support/cli.js';
import { startTestApi, type TestApi } from '../support/sim-api.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lookout-doctor-');
let api: TestApi;
let telegram: FakeTelegram;
let recorder: WebhookRecorder;

beforeAll(async () => {
  api = await startTestApi(dir.path);
  telegram = await FakeTelegram.start();
  recorder = await WebhookRecorder.start();
});

afterAll(async () => {
  await api.close();
  await telegram.close();
  await recorder.close();
  dir.remove();
});

describe('lookout doctor', () => {
  it('checks the cluster, its metrics API, every receiver and the bot, one line each', async () => {
    const config = join(dir.path, 'doctor.yaml');
    writeFileSync(
      config,
      [
        `storage: { url: "sqlite:${join(dir.path, 'd.db')}" }`,
        `clusters: [ { name: sim, kubeconfig: "${api.kubeconfigPath}" } ]`,
        'alerting:',
        '  route: { receiver: hooks }',
        '  receivers:',
        `    - name: hooks`,
        `      webhook_configs: [ { url: "${recorder.url}/hook?key=hunter2" }, { url: "http://127.0.0.1:9/nobody" } ]`,
        'chat:',
        '  telegram:',
        `    bot_token: "${telegram.token}"`,
        `    api_url: "${telegram.url}"`,
      ].join('\n'),
    );
    const result = await runCli(['doctor', '--config', config]);
    // The database needs `lookout migrate` first, and one webhook has no listener: exit 1.
    expect(result.code, result.stderr).toBe(1);
    const out = result.stdout;
    expect(out).toMatch(
      /PASS {2}cluster sim: http:\/\/127\.0\.0\.1:\d+ \(Kubernetes v1\.\d+.*\): may list pods, events and nodes/,
    );
    expect(out).toMatch(/PASS {2}metrics API of cluster sim: metrics\.k8s\.io answers/);
    expect(out).toMatch(/PASS {2}receiver hooks webhook\[0\]: .* answers \(HTTP \d+ to HEAD\)/);
    expect(out).toMatch(/FAIL {2}receiver hooks webhook\[1\]: .*could not be reached/);
    expect(out).toMatch(/PASS {2}chat bot \(Telegram\): token accepted: @\w+ \(polling\)/);
    // Secrets stay out: the bot token and the webhook's query secret.
    expect(out).not.toContain(telegram.token);
    expect(out).not.toContain('hunter2');
  });

  it('names a cluster it cannot reach', async () => {
    const kubeconfig = join(dir.path, 'nowhere.yaml');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    const config = join(dir.path, 'nowhere-doctor.yaml');
    writeFileSync(
      config,
      `storage: { url: "sqlite:${join(dir.path, 'n.db')}" }\nclusters: [ { name: far, kubeconfig: "${kubeconfig}" } ]\ncollect: { metrics: { enabled: false } }\n`,
    );
    const result = await runCli(['doctor', '--config', config]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}cluster far: cannot reach the API server: .*127\.0\.0\.1:9/);
  });
});
