// What a scenario is: a name, a one-line summary, the objects it starts with (set up before the
// controllers run) and, optionally, what it does over time (on the cluster's timers, so it
// stops with the cluster and scales with its time scale).
import type { ScenarioKit } from './kit.js';

export const SCENARIO_NAMES = [
  'steady',
  'crashloop',
  'oom',
  'imagepull',
  'node-failure',
  'hpa-load',
  'event-storm',
  'big',
  'mixed',
] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

export interface Scenario {
  readonly name: ScenarioName;
  readonly summary: string;
  setup(kit: ScenarioKit): void;
  run?(kit: ScenarioKit): void;
}
