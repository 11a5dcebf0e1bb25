// The platform's public surface: modules import cross-cutting pieces from here.
export * from './constants.ts';
export * from './errors.ts';
export * from './ids.ts';
export * from './money.ts';
