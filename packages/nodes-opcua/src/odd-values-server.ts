// Test support: an OPC UA server on 127.0.0.1 (security None, anonymous) whose variables hold
// values of every awkward kind a real server can send: ByteString, LocalizedText, QualifiedName,
// Guid, DateTime, ExtensionObject, arrays, a matrix, null variants, NaN/Infinity, Int64 beyond
// 2^53, odd source timestamps, and one variable whose DataType changes on every read.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OPCUAServer, Variant as VariantType } from 'node-opcua';
import { loadOpcua } from './load-opcua.js';

export interface OddValuesServer {
  readonly endpointUrl: string;
  /** Node ids of every odd variable, `ns=1;s=Odd.<name>`. */
  readonly nodeIds: readonly string[];
  /** The variable whose DataType changes on every read. */
  readonly shapeShifter: string;
  close(): Promise<void>;
}

/** Start the server; the PKI lives in a temp dir removed by `close()`. */
export async function startOddValuesServer(): Promise<OddValuesServer> {
  const opcua = await loadOpcua();
  const { OPCUAServer: ServerClass, OPCUACertificateManager, DataType, Variant, VariantArrayType, StatusCodes, LocalizedText, QualifiedName, coerceNodeId } = opcua;
  const dir = await mkdtemp(join(tmpdir(), 'plantwire-odd-opcua-'));
  const v = (dataType: number, value: unknown, extra: Record<string, unknown> = {}): VariantType => new Variant({ dataType, value, ...extra });

  const values: Record<string, () => VariantType> = {
    ByteString: () => v(DataType.ByteString, Buffer.from([0, 255, 1, 254])),
    EmptyByteString: () => v(DataType.ByteString, Buffer.alloc(0)),
    NullByteString: () => v(DataType.ByteString, null),
    LocalizedText: () => v(DataType.LocalizedText, new LocalizedText({ text: 'Ofen läuft', locale: 'de-DE' })),
    QualifiedName: () => v(DataType.QualifiedName, new QualifiedName({ name: 'Oven', namespaceIndex: 1 })),
    Guid: () => v(DataType.Guid, '72962B91-FA75-4AE6-8D28-B404DC7DAF63'),
    DateTime: () => v(DataType.DateTime, new Date(Date.UTC(2026, 11, 6))),
    DateTimeMin: () => v(DataType.DateTime, new Date(Date.UTC(1601, 0, 1))),
    NodeId: () => v(DataType.NodeId, coerceNodeId('ns=1;s=Somewhere')),
    StatusCode: () => v(DataType.StatusCode, StatusCodes.BadDeviceFailure),
    ExtensionObject: () => v(DataType.ExtensionObject, new opcua.Range({ low: -1, high: 1 })),
    ExtensionObjectArray: () => v(DataType.ExtensionObject, [opcua.makeEUInformation('degC', '°C', 'degree Celsius'), null], { arrayType: VariantArrayType.Array }),
    DoubleArray: () => v(DataType.Double, new Float64Array([1.5, NaN, Infinity, -Infinity]), { arrayType: VariantArrayType.Array }),
    EmptyArray: () => v(DataType.Int32, new Int32Array(0), { arrayType: VariantArrayType.Array }),
    StringArrayWithNull: () => v(DataType.String, ['a', null, ''], { arrayType: VariantArrayType.Array }),
    Matrix: () => v(DataType.Int32, new Int32Array([1, 2, 3, 4, 5, 6]), { arrayType: VariantArrayType.Matrix, dimensions: [2, 3] }),
    Null: () => v(DataType.Null, null),
    NullString: () => v(DataType.String, null),
    NaN: () => v(DataType.Double, NaN),
    Infinity: () => v(DataType.Double, Infinity),
    NegativeInfinity: () => v(DataType.Float, -Infinity),
    Int64Big: () => v(DataType.Int64, [0x7fffffff, 0xffffffff], { arrayType: VariantArrayType.Scalar }),
    UInt64Big: () => v(DataType.UInt64, [0xffffffff, 0xffffffff], { arrayType: VariantArrayType.Scalar }),
    Int64Array: () => v(DataType.Int64, [[0, 1], [0x80000000, 0]], { arrayType: VariantArrayType.Array }),
    Variant: () => v(DataType.Variant, new Variant({ dataType: DataType.Double, value: 1 })),
    XmlElement: () => v(DataType.XmlElement, '<a>1</a>'),
  };

  let reads = 0;
  const shifting = [
    () => v(DataType.Double, 1.5),
    () => v(DataType.String, 'now a string'),
    // (No Boolean: node-opcua's server refuses a Boolean variant in a BaseDataType variable.)
    () => v(DataType.ByteString, Buffer.from('bytes')),
    () => v(DataType.Int64, [1, 0], { arrayType: VariantArrayType.Scalar }),
    () => v(DataType.LocalizedText, new LocalizedText({ text: 'text' })),
    () => v(DataType.Null, null),
  ];

  const server: OPCUAServer = new ServerClass({
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    port: 0,
    securityModes: [opcua.MessageSecurityMode.None],
    securityPolicies: [opcua.SecurityPolicy.None],
    allowAnonymous: true,
    serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'server'), automaticallyAcceptUnknownCertificate: true }),
    userCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'user'), automaticallyAcceptUnknownCertificate: true }),
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace!;
  const ns = addressSpace.getOwnNamespace();
  const folder = ns.addFolder(addressSpace.rootFolder.objects, { browseName: 'Odd', nodeId: 's=Odd' });
  const nodeIds: string[] = [];
  for (const [name, get] of Object.entries(values)) {
    const sample = get();
    ns.addVariable({
      componentOf: folder,
      browseName: name,
      nodeId: `s=Odd.${name}`,
      dataType: sample.dataType === DataType.Null ? 'BaseDataType' : sample.dataType,
      ...(sample.arrayType === VariantArrayType.Array ? { valueRank: 1 } : sample.arrayType === VariantArrayType.Matrix ? { valueRank: 2, arrayDimensions: [2, 3] } : {}),
      minimumSamplingInterval: 50,
      value: { get },
    });
    nodeIds.push(`ns=1;s=Odd.${name}`);
  }
  // Source timestamps at the edges of what OPC UA's DateTime can say.
  for (const [name, when] of [['OldTimestamp', new Date(Date.UTC(1601, 0, 1))], ['FarTimestamp', new Date(Date.UTC(9999, 11, 31))]] as const) {
    const variable = ns.addVariable({ componentOf: folder, browseName: name, nodeId: `s=Odd.${name}`, dataType: DataType.Double, minimumSamplingInterval: 50 });
    variable.setValueFromSource(v(DataType.Double, 1), StatusCodes.Good, when);
    nodeIds.push(`ns=1;s=Odd.${name}`);
  }
  ns.addVariable({
    componentOf: folder,
    browseName: 'ShapeShifter',
    nodeId: 's=Odd.ShapeShifter',
    dataType: 'BaseDataType',
    minimumSamplingInterval: 50,
    value: { get: () => shifting[reads++ % shifting.length]!() },
  });
  await server.start();
  const port = server.endpoints[0]!.port;
  return {
    endpointUrl: `opc.tcp://127.0.0.1:${port}`,
    nodeIds,
    shapeShifter: 'ns=1;s=Odd.ShapeShifter',
    async close() {
      await server.shutdown(0);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
