import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Secret, SecretScrubber } from '../lib/secret.js';
import { createLogger } from './logger.js';

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('logger', () => {
  it('writes JSON lines with the component of the child logger', () => {
    const out = capture();
    createLogger({ destination: out.stream })
      .child({ component: 'watch' })
      .info({ cluster: 'a' }, 'connected');
    const line = JSON.parse(out.lines()[0]!);
    expect(line).toMatchObject({
      level: 'info',
      component: 'watch',
      cluster: 'a',
      msg: 'connected',
      service: 'lookout',
    });
  });

  it('never writes a secret: by key, by Secret object, or by value inside text', () => {
    const out = capture();
    const scrubber = new SecretScrubber();
    scrubber.add('123456:AAE-bot-token-value');
    const log = createLogger({ destination: out.stream, scrubber });
    log.info({ bot_token: 'raw-token-by-key', receiver: { password: 'pw-by-nested-key' } }, 'keys');
    log.info({ cfg: { token: new Secret('secret-object-value') } }, 'objects');
    log.error(
      { err: new Error('POST https://api.telegram.org/bot123456:AAE-bot-token-value/sendMessage failed') },
      'text',
    );
    const text = out.lines().join('\n');
    for (const leaked of [
      'raw-token-by-key',
      'pw-by-nested-key',
      'secret-object-value',
      'AAE-bot-token-value',
    ]) {
      expect(text).not.toContain(leaked);
    }
    expect(text).toContain('<redacted>');
  });
});
