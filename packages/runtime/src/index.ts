export type * from './api.js';
export { createRuntime } from './create-runtime.js';
export { isoTime } from './iso-time.js';
export { installSignalHandlers, type SignalHandlerOptions, type SignalSource } from './signals.js';
export { MAX_ERROR_HOPS, type RoutedError } from './error-router.js';
export { CredentialsError, CREDENTIAL_SECRET_ENV, type CredentialsErrorCode } from './credential-store.js';
export { BrowseError, type BrowseErrorCode } from './browse-connection.js';
export { writeFileAtomically } from './write-file-atomically.js';
