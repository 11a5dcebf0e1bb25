import type { AppDependencies, Services } from './app.ts';

/** Options every module's route plugin receives from app.ts. */
export interface ModuleRouteOptions {
  readonly deps: AppDependencies;
  readonly services: Services;
}
