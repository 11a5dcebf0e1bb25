// The accounts module's door: its service (for app.ts and other modules) and its routes.

export { accountsApprovalExecutors } from './approval-executors.ts';
export { type StatementLine, statementLineRow } from './history.ts';
export { maskIban, validateIban } from './iban.ts';
export { maskName } from './masking.ts';
export { accountsRoutes } from './routes.ts';
export { type Cursor, decodeCursor, encodeCursor } from './schemas.ts';
export { type AccountRef, type AccountsService, type AccountView, createAccountsService } from './service.ts';
