export * from './database.ts';
export * from './fault-proxy.ts';
export * from './invariants.ts';
export * from './oauth.ts';
export * from './server-process.ts';
export * from './transfer-load.ts';
