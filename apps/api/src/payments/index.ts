// The payments module's door: its service and its customer routes (back-office routes live in backoffice/).

export { paymentsApprovalExecutors } from './approval-executors.ts';
export { paymentsBackofficeRoutes } from './backoffice-routes.ts';
export { createPayeesService, type PayeesService } from './payees.ts';
export { createTransferReviews, type TransferReviews } from './reviews.ts';
export { paymentsRoutes } from './routes.ts';
export { type CreditInput, createPaymentsService, type PaymentsService, type TransferInput } from './service.ts';
