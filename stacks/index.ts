import { App } from 'cdktf';
import type { EnvironmentSpec } from '../environments/schema';
import { EnvironmentStack } from './environment-stack';
import { StateBackendStack, type StateBackendStackSettings } from './state-backend-stack';
import { AWS_TARGET, type DeployTarget } from './target';

export { EnvironmentStack } from './environment-stack';
export { StateBackendStack, STATE_BACKEND_STACK, type StateBackendStackSettings } from './state-backend-stack';
export type { BackendSettings } from './backend-settings';
export { AWS_TARGET, type DeployTarget } from './target';

/** The whole app: the state backend, then one stack per validated environment. */
export function buildStacks(
  app: App,
  environments: readonly EnvironmentSpec[],
  /** Where state lives, and the CI access to it (environments/state-backend.ts). */
  backend: StateBackendStackSettings,
  target: DeployTarget = AWS_TARGET,
) {
  return {
    stateBackend: new StateBackendStack(app, backend, target),
    environments: environments.map((environment) => new EnvironmentStack(app, { environment, backend, target })),
  };
}
