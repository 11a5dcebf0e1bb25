// The payments module's door: its service, its customer routes and the back-office routes.
export { backofficeRoutes } from './backoffice-routes.ts';
export { paymentsRoutes } from './routes.ts';
export { type CreditInput, createPaymentsService, type PaymentsService, type TransferInput } from './service.ts';
