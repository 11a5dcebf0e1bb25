// The accounts module's door: its service (for app.ts and other modules) and its routes.

export { accountsApprovalExecutors } from './approval-executors.ts';
export { accountsBackofficeRoutes } from './backoffice-routes.ts';
export { type LineStatusReason, type StatementLine, statementLineRow } from './history.ts';
export { validateIban } from './iban.ts';
export { accountsRoutes } from './routes.ts';
export {
  type AccountRef,
  type AccountsService,
  type AccountView,
  createAccountsService,
  type HistoryCategories,
} from './service.ts';
