import type { ConnectionEntry } from '@plantwire/flow';
import {
  API_ROUTES,
  apiPath,
  type ApiError,
  type AuthStatusResponse,
  type BrowseResponse,
  type ConnectionTestResponse,
  type CredentialsStatusResponse,
  type DeployResponse,
  type FlowsResponse,
  type ImportResponse,
  type InjectRequest,
  type InjectResponse,
  type LoginResponse,
  type NodeTypesResponse,
  type PutFlowsRequest,
  type ValidateResponse,
} from '@plantwire/protocol';

/** A non-2xx answer of the API: the HTTP status and the server's {@link ApiError} body. */
export class ApiClientError extends Error {
  readonly status: number;
  readonly error: ApiError;
  constructor(status: number, error: ApiError, attempted: string) {
    super(`${attempted} failed: ${error.message} (${error.code}, HTTP ${status})`);
    this.name = 'ApiClientError';
    this.status = status;
    this.error = error;
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** The token to send as `Authorization: Bearer`; read on every call, so a login takes effect at once. */
  readonly token: () => string | undefined;
  readonly fetch?: FetchLike;
  /** Prefix for every path (same origin by default). */
  readonly base?: string;
}

/** The editor's side of the REST contract (packages/protocol `API_ROUTES`), typed end to end. */
export function createApiClient(options: ApiClientOptions) {
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const base = options.base ?? '';

  async function call(method: string, path: string, body?: unknown, accept: 'json' | 'text' = 'json'): Promise<unknown> {
    const headers: Record<string, string> = { Accept: accept === 'json' ? 'application/json' : '*/*' };
    const token = options.token();
    if (token) headers['Authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const attempted = `${method} ${path}`;
    let response: Response;
    try {
      response = await fetchImpl(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (err) {
      throw new ApiClientError(0, { code: 'INTERNAL', message: `the server could not be reached (${err instanceof Error ? err.message : String(err)})` }, attempted);
    }
    const text = await response.text();
    if (!response.ok) throw new ApiClientError(response.status, toApiError(response.status, text), attempted);
    if (accept === 'text') return text;
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ApiClientError(response.status, { code: 'INTERNAL', message: `the answer was not JSON: ${text.slice(0, 120)}` }, attempted);
    }
  }

  return {
    auth: () => call('GET', API_ROUTES.auth) as Promise<AuthStatusResponse>,
    login: (password: string) => call('POST', API_ROUTES.login, { password }) as Promise<LoginResponse>,
    logout: () => call('POST', API_ROUTES.logout) as Promise<unknown>,
    nodeTypes: () => call('GET', API_ROUTES.nodeTypes) as Promise<NodeTypesResponse>,
    getFlows: () => call('GET', API_ROUTES.flows) as Promise<FlowsResponse>,
    deploy: (request: PutFlowsRequest) => call('PUT', API_ROUTES.flows, request) as Promise<DeployResponse>,
    validate: (document: unknown) => call('POST', API_ROUTES.validate, { document }) as Promise<ValidateResponse>,
    exportFlows: () => call('GET', API_ROUTES.exportFlows, undefined, 'text') as Promise<string>,
    importText: (text: string) => call('POST', API_ROUTES.importFlows, { text }) as Promise<ImportResponse>,
    inject: (id: string, request: InjectRequest = {}) => call('POST', apiPath(API_ROUTES.inject, { id }), request) as Promise<InjectResponse>,
    testConnection: (id: string, entry?: ConnectionEntry, credentials?: Record<string, unknown>) =>
      call('POST', apiPath(API_ROUTES.testConnection, { id }), { ...(entry ? { entry } : {}), ...(credentials ? { credentials } : {}) }) as Promise<ConnectionTestResponse>,
    browse: (id: string, node?: string, continuationPoint?: string) => {
      const query = new URLSearchParams();
      if (node !== undefined) query.set('node', node);
      if (continuationPoint !== undefined) query.set('continuationPoint', continuationPoint);
      const suffix = query.size > 0 ? `?${query.toString()}` : '';
      return call('GET', `${apiPath(API_ROUTES.browse, { id })}${suffix}`) as Promise<BrowseResponse>;
    },
    credentials: (connectionId: string) => call('GET', apiPath(API_ROUTES.credentials, { connectionId })) as Promise<CredentialsStatusResponse>,
    setCredentials: (connectionId: string, values: Record<string, unknown>, type?: string) =>
      call('PUT', apiPath(API_ROUTES.credentials, { connectionId }), { values, ...(type ? { type } : {}) }) as Promise<CredentialsStatusResponse>,
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

function toApiError(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as Partial<ApiError>;
    if (typeof body.code === 'string' && typeof body.message === 'string') return body as ApiError;
  } catch {
    // not JSON: a proxy's error page, say; described below
  }
  return { code: status === 401 ? 'UNAUTHORIZED' : status === 404 ? 'NOT_FOUND' : 'INTERNAL', message: text.trim().slice(0, 200) || `HTTP ${status}` };
}
