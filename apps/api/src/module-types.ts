import type { Services } from './app.ts';
import type { AppDependencies } from './platform/dependencies.ts';

/** Options every module's route plugin receives from app.ts. */
export interface ModuleRouteOptions {
  readonly deps: AppDependencies;
  readonly services: Services;
}
