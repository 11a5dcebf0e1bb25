export * from './database.ts';
export * from './fault-proxy.ts';
export * from './oauth.ts';
export * from './server-process.ts';
