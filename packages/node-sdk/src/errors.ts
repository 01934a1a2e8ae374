/**
 * The catalogue of error codes. Every code has a help anchor in docs/errors.md.
 * Codes are SCREAMING_SNAKE; messages say what was being attempted, with the cause attached.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 'A node or connection config does not match its type\'s schema.',
  UNKNOWN_NODE_TYPE: 'The document names a node type that no installed package defines.',
  NODE_FAILED: 'A node threw or rejected while handling a message.',
  SETUP_FAILED: 'A node failed to start.',
  TIMEOUT: 'An operation did not finish within its time limit.',
  FUNCTION_FAILED: 'User code in a function node threw.',
  FUNCTION_TIMEOUT: 'User code in a function node ran past its time limit: on the CPU (a busy loop; the sandbox worker is restarted) or waiting (a promise or timer chain that did not finish; its timers are cleared).',
  FUNCTION_RESULT_INVALID: 'User code returned something that is not a message, an array of messages or null.',
  DECODE_FAILED: 'A payload could not be decoded (JSON, CSV, bytes).',
  ENCODE_FAILED: 'A payload could not be encoded.',
  EXPRESSION_FAILED: 'An expression could not be evaluated.',
  NOT_CONNECTED: 'The connection the node needs is not connected.',
  ERROR_LOOP: 'An error was raised while handling an error too many times; the loop was broken.',
  QUEUE_FULL: 'A queue was full and the overflow policy dropped a message.',
  INPUT_INVALID: 'A message lacks a property the node needs, or the property has the wrong type (e.g. a non-number where a number is compared).',
  SUBSCRIBE_REFUSED: 'A broker or server refused a subscription (not authorised, invalid filter, quota).',
  PUBLISH_REFUSED: 'A broker acknowledged a publish with a failure reason (not authorised, quota, topic invalid).',
  DEVICE_EXCEPTION: 'A device answered a request with a protocol exception (a Modbus exception code: illegal address, illegal value, busy, gateway).',
  READ_REFUSED: 'A server answered a read with a Bad status for the node itself (OPC UA BadNodeIdUnknown, BadNodeIdInvalid, BadNotReadable).',
  WRITE_REFUSED: 'A device or server refused a write with a Bad status (OPC UA BadOutOfRange, BadNotWritable, BadTypeMismatch, BadUserAccessDenied).',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Options of a {@link NodeError}. */
export interface NodeErrorOptions {
  cause?: unknown;
  /** Extra facts for the log and the error message (field names, values). */
  details?: Record<string, unknown>;
}

/**
 * An error a node raises on purpose, with a code from the catalogue. The runtime adds the address
 * (node id, tab, message id) when it routes it; a node only says what went wrong.
 */
export class NodeError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: NodeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NodeError';
    this.code = code;
    this.details = options.details;
  }
}

/** The code of any thrown value: a NodeError's own, else NODE_FAILED. */
export function errorCodeOf(err: unknown): ErrorCode {
  return err instanceof NodeError ? err.code : 'NODE_FAILED';
}
