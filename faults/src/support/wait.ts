/**
 * Keep a deliberate fault going for `ms` (an outage, a stall): the fault itself, not a wait for
 * something to settle. Named so every such pause is visible as the fault it is.
 */
export function holdFault(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
