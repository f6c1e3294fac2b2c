export { bundleLambda, type LambdaBundle } from './bundle';
export { launchHookName, LifecycleHooks, type LifecycleHooksProps } from './lifecycle-hooks';
export { SpotChaosExperiment, type SpotChaosExperimentProps } from './spot-chaos-experiment';
export { SpotInterruptionHandler, type SpotInterruptionHandlerProps } from './spot-interruption-handler';
export * from './spot-signals';
