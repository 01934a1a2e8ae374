type OpcuaModule = typeof import('node-opcua');

let loading: Promise<OpcuaModule> | undefined;

/**
 * node-opcua, loaded on first use. Loading it takes 1–5 s (STACK.md §6), so a runtime or server
 * that merely registers the OPC UA node types, without a flow that uses them, never pays for it.
 */
export function loadOpcua(): Promise<OpcuaModule> {
  loading ??= import('node-opcua');
  return loading;
}
