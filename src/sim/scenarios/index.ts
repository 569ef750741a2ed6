// Every scenario the simulated cluster can play, by name.
import { big } from './big.js';
import { crashloop } from './crashloop.js';
import { eventStorm } from './event-storm.js';
import { hpaLoad } from './hpa-load.js';
import { imagepull } from './imagepull.js';
import { mixed } from './mixed.js';
import { nodeFailure } from './node-failure.js';
import { oom } from './oom.js';
import type { Scenario, ScenarioName } from './scenario.js';
import { steady } from './steady.js';

export { SCENARIO_NAMES, isScenarioName, type Scenario, type ScenarioName } from './scenario.js';
export { ScenarioKit } from './kit.js';

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  steady,
  crashloop,
  oom,
  imagepull,
  'node-failure': nodeFailure,
  'hpa-load': hpaLoad,
  'event-storm': eventStorm,
  big,
  mixed,
};
