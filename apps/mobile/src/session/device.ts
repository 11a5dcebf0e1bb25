/**
 * Which device this build runs on: Metro picks device.web.ts for the web build and
 * device.native.ts for iOS and Android; this file names the web one for the type checker and
 * for any other platform.
 */
export { openDevice } from './device.web';
