export { bundleLambda, type LambdaBundle, lambdaBundleAsset } from './bundle';
export { bundledFunction, type BundledFunctionProps } from './bundled-function';
export { launchHookName, LifecycleHooks, type LifecycleHooksProps } from './lifecycle-hooks';
export { SpotChaosExperiment, type SpotChaosExperimentProps } from './spot-chaos-experiment';
export { DEFAULT_HANDLER_LOG_RETENTION_DAYS, SpotInterruptionHandler, type SpotInterruptionHandlerProps, spotHandlerLogGroupName } from './spot-interruption-handler';
export * from './spot-signals';
