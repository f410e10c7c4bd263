/**
 * The Microsoft sandbox: Microsoft's login and Graph for the Teams source, offline. Used by `npm start`
 * without Teams credentials (use-microsoft-sandbox.ts) and by the Teams tests.
 */
export { startMicrosoftSandbox } from './start-microsoft-sandbox';
export type * from './microsoft-types';
export { CHANGE_TRACKING_APP_ID, createTokenSigner, encryptLikeGraph, validationTokenClaims, type TokenSigner } from './graph-crypto';
export {
  createCertificateAuthority,
  createEncryptionCertificate,
  createLocalCertificateAuthority,
  issueServerCertificate,
  type IssuedCertificate,
} from './certificate-authority';
export { DEMO_SERVICE_ACCOUNT_EMAIL, demoDirectory, demoObjectId } from './demo-directory';
export { GRAPH_AVAILABILITIES } from './admin-routes';
