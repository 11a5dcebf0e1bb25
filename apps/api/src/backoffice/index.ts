/**
 * Back office: operators with roles (confidential OAuth clients), four-eyes approvals and the
 * /backoffice/v1 routes. Other modules use `createBackofficeService`'s functions.
 */
export { backofficeRoutes } from './routes.ts';
export { type BackofficeService, createBackofficeService } from './service.ts';
