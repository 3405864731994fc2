/**
 * Kafka Connect's REST API on node:http, with Kafka's paths, status codes and JSON
 * bodies: ConnectorInfo, ConnectorStateInfo and TaskInfo in Kafka's field order,
 * errors as `{"error_code":<status>,"message":"..."}`, 202 with an empty body for
 * pause/resume, 204 for delete and restart, 201 with Location for a new connector.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectRestError, badRequest } from './errors.js';
import type { ConnectorInfo, ConnectorStateInfo, Herder, StateInfo, TaskInfo, TaskStateInfo } from './herder.js';
import { validateConnectorConfig } from './validate.js';
import { CONNECTOR_PLUGINS, connectVersion, findConnectorPlugin } from './plugins.js';

const str = (s: string): string => JSON.stringify(s);

function configJson(config: Record<string, string>): string {
  return `{${Object.entries(config).map(([k, v]) => `${str(k)}:${str(v)}`).join(',')}}`;
}

export function connectorInfoJson(info: ConnectorInfo): string {
  const tasks = info.tasks.map((t) => `{"connector":${str(t.connector)},"task":${t.task}}`).join(',');
  return `{"name":${str(info.name)},"config":${configJson(info.config)},"tasks":[${tasks}],"type":${str(info.type)}}`;
}

function stateJson(state: StateInfo, id?: number): string {
  const parts = id === undefined ? [] : [`"id":${id}`];
  parts.push(`"state":${str(state.state)}`);
  if (state.trace) parts.push(`"trace":${str(state.trace)}`);
  parts.push(`"worker_id":${str(state.worker_id)}`);
  return `{${parts.join(',')}}`;
}

export function taskStateJson(task: TaskStateInfo): string {
  return stateJson(task, task.id);
}

export function connectorStatusJson(status: ConnectorStateInfo): string {
  return `{"name":${str(status.name)},"connector":${stateJson(status.connector)},"tasks":[${status.tasks.map(taskStateJson).join(',')}],"type":${str(status.type)}}`;
}

export function taskInfosJson(tasks: TaskInfo[]): string {
  return `[${tasks.map((t) => `{"id":{"connector":${str(t.id.connector)},"task":${t.id.task}},"config":${configJson(t.config)}}`).join(',')}]`;
}

export function errorJson(status: number, message: string): string {
  return `{"error_code":${status},"message":${str(message)}}`;
}

interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

const json = (body: string, status = 200, headers: Record<string, string> = {}): Reply => ({ status, body, headers });
const empty = (status: number): Reply => ({ status });

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // Kafka answers a body Jackson cannot parse with 500 and the parser's words.
    throw new ConnectRestError(500, `Cannot parse the request body as JSON: ${(err as Error).message}`);
  }
}

function stringMap(value: unknown, what: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`${what} must be a JSON object of string values`);
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    result[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return result;
}

function taskNumber(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new ConnectRestError(404, 'HTTP 404 Not Found');
  return Number(raw);
}

export class RestServer {
  private readonly server: http.Server;

  constructor(private readonly herder: () => Herder | undefined) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host === '' ? undefined : host, () => {
        this.server.removeListener('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.route(req);
    } catch (err) {
      if (err instanceof ConnectRestError) reply = json(errorJson(err.status, err.message), err.status);
      else reply = json(errorJson(500, err instanceof Error ? err.message : String(err)), 500);
    }
    const headers: Record<string, string | number> = { ...reply.headers };
    if (reply.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(reply.body);
    } else if (reply.status !== 204) {
      headers['Content-Length'] = 0;
    }
    res.writeHead(reply.status, headers);
    res.end(reply.body);
  }

  private async route(req: http.IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    const method = req.method ?? 'GET';
    const herder = this.herder();
    const notFound = (): never => { throw new ConnectRestError(404, 'HTTP 404 Not Found'); };
    const notAllowed = (): never => { throw new ConnectRestError(405, 'HTTP 405 Method Not Allowed'); };
    if (segments.length === 0) {
      if (method !== 'GET') notAllowed();
      return json(`{"version":${str(connectVersion())},"commit":"unknown","kafka_cluster_id":${herder ? str(herder.clusterId()) : 'null'}}`);
    }
    if (segments[0] === 'connector-plugins') return this.plugins(method, segments, req);
    if (segments[0] !== 'connectors') return notFound();
    if (!herder) throw new ConnectRestError(503, 'The worker is still starting; try again in a moment');
    const name = segments[1];
    if (name === undefined) {
      if (method === 'GET') return json(this.listConnectors(herder, url.searchParams.getAll('expand')));
      if (method !== 'POST') return notAllowed();
      const body = parseJsonBody(await readBody(req));
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The request body must be a JSON object {"name":...,"config":{...}}');
      const request = body as { name?: unknown; config?: unknown };
      if (request.config === undefined || request.config === null) throw badRequest('The request body has no "config": send {"name":"<connector>","config":{"connector.class":...}}');
      const config = stringMap(request.config, '"config"');
      const connectorName = typeof request.name === 'string' ? request.name.trim() : config.name ?? '';
      const result = await herder.putConnectorConfig(connectorName, config, false);
      return json(connectorInfoJson(result.info), 201, { Location: this.location(req, connectorName) });
    }
    const rest = segments.slice(2);
    const path = rest.join('/');
    if (rest.length === 0) {
      if (method === 'GET') return json(connectorInfoJson(herder.connectorInfo(name)));
      if (method === 'DELETE') {
        await herder.deleteConnector(name);
        return empty(204);
      }
      return notAllowed();
    }
    if (path === 'config') {
      if (method === 'GET') return json(configJson(herder.connectorConfig(name)));
      if (method !== 'PUT') return notAllowed();
      const config = stringMap(parseJsonBody(await readBody(req)), 'The connector config');
      const result = await herder.putConnectorConfig(name, config, true);
      return result.created
        ? json(connectorInfoJson(result.info), 201, { Location: this.location(req, name) })
        : json(connectorInfoJson(result.info));
    }
    if (path === 'status') return method === 'GET' ? json(connectorStatusJson(herder.connectorStatus(name))) : notAllowed();
    if (path === 'tasks') return method === 'GET' ? json(taskInfosJson(herder.taskConfigs(name))) : notAllowed();
    if (path === 'offsets') {
      if (method !== 'GET') return notAllowed();
      return json(JSON.stringify({ offsets: await herder.connectorOffsets(name) }));
    }
    if (path === 'restart') {
      if (method !== 'POST') return notAllowed();
      await herder.restartConnector(name);
      if (url.searchParams.get('includeTasks') === 'true') {
        const onlyFailed = url.searchParams.get('onlyFailed') === 'true';
        for (const task of herder.connectorStatus(name).tasks) {
          if (!onlyFailed || task.state === 'FAILED') await herder.restartTask(name, task.id);
        }
        return json(connectorStatusJson(herder.connectorStatus(name)), 202);
      }
      return empty(204);
    }
    if (path === 'pause' || path === 'resume') {
      if (method !== 'PUT') return notAllowed();
      if (path === 'pause') await herder.pauseConnector(name);
      else await herder.resumeConnector(name);
      return empty(202);
    }
    if (rest[0] === 'tasks' && rest.length === 3 && rest[2] === 'status') {
      if (method !== 'GET') return notAllowed();
      return json(taskStateJson(herder.taskStatus(name, taskNumber(rest[1]))));
    }
    if (rest[0] === 'tasks' && rest.length === 3 && rest[2] === 'restart') {
      if (method !== 'POST') return notAllowed();
      herder.connectorInfo(name);
      await herder.restartTask(name, taskNumber(rest[1]));
      return empty(204);
    }
    return notFound();
  }

  private listConnectors(herder: Herder, expand: string[]): string {
    const names = herder.connectors();
    if (expand.length === 0) return `[${names.map(str).join(',')}]`;
    const entries = names.map((n) => {
      const parts: string[] = [];
      // A connector just created may have no status yet (distributed: until its worker writes one): list it without.
      if (expand.includes('status')) {
        try {
          parts.push(`"status":${connectorStatusJson(herder.connectorStatus(n))}`);
        } catch (err) {
          if (!(err instanceof ConnectRestError) || err.status !== 404) throw err;
        }
      }
      if (expand.includes('info')) parts.push(`"info":${connectorInfoJson(herder.connectorInfo(n))}`);
      return `${str(n)}:{${parts.join(',')}}`;
    });
    return `{${entries.join(',')}}`;
  }

  private async plugins(method: string, segments: string[], req: http.IncomingMessage): Promise<Reply> {
    if (segments.length === 1) {
      if (method !== 'GET') throw new ConnectRestError(405, 'HTTP 405 Method Not Allowed');
      const version = connectVersion();
      return json(`[${CONNECTOR_PLUGINS.map((p) => `{"class":${str(p.className)},"type":${str(p.type)},"version":${str(version)}}`).join(',')}]`);
    }
    if (segments.length === 4 && segments[2] === 'config' && segments[3] === 'validate') {
      if (method !== 'PUT') throw new ConnectRestError(405, 'HTTP 405 Method Not Allowed');
      const config = stringMap(parseJsonBody(await readBody(req)), 'The connector config');
      const plugin = findConnectorPlugin(segments[1]);
      if (!plugin) throw badRequest(`Connector plugin ${segments[1]} not found: known plugins are ${CONNECTOR_PLUGINS.map((p) => p.className).join(', ')}`);
      return json(validateConnectorConfig(plugin, config));
    }
    throw new ConnectRestError(404, 'HTTP 404 Not Found');
  }

  private location(req: http.IncomingMessage, name: string): string {
    return `http://${req.headers.host ?? 'localhost'}/connectors/${encodeURIComponent(name)}`;
  }
}
