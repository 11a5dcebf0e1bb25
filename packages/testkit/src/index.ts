export * from './database.ts';
export * from './fault-proxy.ts';
