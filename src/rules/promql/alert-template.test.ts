import { describe, expect, it } from 'vitest';
import { AlertTemplate, TemplateError } from './alert-template.js';
import { goFloat, goG, goSprintf } from './go-format.js';

const data = {
  labels: { namespace: 'payments', pod: 'api-2', instance: '10.0.0.7:9100' },
  value: 0.9734,
  externalLabels: { cluster: 'prod' },
  externalURL: 'http://prometheus:9090',
};

function render(source: string, value = data.value): string {
  return AlertTemplate.parse(source).render({ ...data, value });
}

describe('alert templates', () => {
  it('prints labels and the value as Prometheus does', () => {
    expect(render('{{ $labels.namespace }}/{{ $labels.pod }} at {{ $value }}')).toBe(
      'payments/api-2 at 0.9734',
    );
    expect(render('{{ .Labels.pod }} {{ .Value }}')).toBe('api-2 0.9734');
    expect(render('{{ $externalLabels.cluster }} {{ $externalURL }}')).toBe('prod http://prometheus:9090');
  });

  it('prints an absent label as nothing (missingkey=zero)', () => {
    expect(render('[{{ $labels.nope }}]')).toBe('[]');
  });

  it('formats $value with Go %v rules', () => {
    expect(render('{{ $value }}', 1e6)).toBe('1e+06');
    expect(render('{{ $value }}', 123456)).toBe('123456');
    expect(render('{{ $value }}', 0.00001)).toBe('1e-05');
    expect(render('{{ $value }}', 42)).toBe('42');
    expect(render('{{ $value }}', NaN)).toBe('NaN');
    expect(render('{{ $value }}', Infinity)).toBe('+Inf');
  });

  it('applies functions through pipelines and as calls', () => {
    expect(render('{{ $value | humanizePercentage }}')).toBe('97.34%');
    expect(render('{{ humanizePercentage $value }}')).toBe('97.34%');
    expect(render('{{ $value | printf "%.2f" }}')).toBe('0.97');
    expect(render('{{ printf "%s has %.1f%%" $labels.pod 12.345 }}')).toBe('api-2 has 12.3%');
    expect(render('{{ 1234567 | humanize }}')).toBe('1.235M');
    expect(render('{{ 0.0012 | humanize }}')).toBe('1.2m');
    expect(render('{{ 2147483648 | humanize1024 }}')).toBe('2Gi');
    expect(render('{{ 93784 | humanizeDuration }}')).toBe('1d 2h 3m 4s');
    expect(render('{{ 0.25 | humanizeDuration }}')).toBe('250ms');
    expect(render('{{ 1700000000 | humanizeTimestamp }}')).toBe('2023-11-14 22:13:20 +0000 UTC');
    expect(render('{{ $labels.instance | stripPort }}')).toBe('10.0.0.7');
    expect(render('{{ $labels.pod | toUpper }}')).toBe('API-2');
    expect(render('{{ reReplaceAll "-(\\\\d+)" ":$1" $labels.pod }}')).toBe('api:2');
    expect(render('{{ index $labels "namespace" }}')).toBe('payments');
  });

  it('trims whitespace around {{- and -}} and drops comments', () => {
    expect(render('a  {{- $labels.pod -}}  b{{/* note */}}')).toBe('aapi-2b');
  });

  it('renders a failing function as Prometheus does, without throwing', () => {
    expect(render('{{ $labels.pod | humanize }}')).toBe(
      '<error expanding template: humanize: "api-2" is not a number>',
    );
  });

  it('refuses control structures and unknown functions when parsed, naming them', () => {
    expect(() => AlertTemplate.parse('{{ if gt $value 1.0 }}high{{ end }}')).toThrow(TemplateError);
    expect(() => AlertTemplate.parse('{{ if $value }}x{{ end }}')).toThrow(/"\{\{ if \}\}" is not supported/);
    expect(() => AlertTemplate.parse('{{ query "up" | first | value }}')).toThrow(
      /function "query" is not supported by Lookout/,
    );
    expect(() => AlertTemplate.parse('{{ frobnicate $value }}')).toThrow(/not a template function/);
    expect(() => AlertTemplate.parse('{{ $labels.pod')).toThrow(/unclosed action/);
  });

  it('leaves plain text alone', () => {
    const t = AlertTemplate.parse('Disk almost full');
    expect(t.isPlain).toBe(true);
    expect(t.render(data)).toBe('Disk almost full');
  });
});

describe('Go number formatting', () => {
  it('matches Go for %v, %g and printf verbs', () => {
    expect(goFloat(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(goFloat(-2.5e-7)).toBe('-2.5e-07');
    expect(goFloat(1e21)).toBe('1e+21');
    expect(goG(1234.5678, 4)).toBe('1235');
    expect(goG(12345678, 4)).toBe('1.235e+07');
    expect(goG(0.5, 4)).toBe('0.5');
    expect(goSprintf('%5.1f|%-4s|%q|%e', [3.14159, 'ab', 'x"y', 1500])).toBe(
      '  3.1|ab  |"x\\"y"|1.500000e+03',
    );
    expect(goSprintf('%d', [3])).toBe('%!d(float64=3)');
    expect(goSprintf('%s %s', ['a'])).toBe('a %!s(MISSING)');
  });
});
