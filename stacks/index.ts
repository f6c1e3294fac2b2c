import { App } from 'cdktf';
import type { EnvironmentSpec } from '../environments/schema';
import type { BackendSettings } from './backend-settings';
import { EnvironmentStack } from './environment-stack';
import { StateBackendStack } from './state-backend-stack';

export { EnvironmentStack } from './environment-stack';
export { StateBackendStack, STATE_BACKEND_STACK } from './state-backend-stack';
export type { BackendSettings } from './backend-settings';

/** The whole app: the state backend, then one stack per validated environment. */
export function buildStacks(app: App, environments: readonly EnvironmentSpec[], backend: BackendSettings) {
  return {
    stateBackend: new StateBackendStack(app, backend),
    environments: environments.map((environment) => new EnvironmentStack(app, { environment, backend })),
  };
}
