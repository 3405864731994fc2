/**
 * PUT /connector-plugins/{plugin}/config/validate: Kafka's ConfigInfos shape
 * (name, error_count, groups, configs[] of definition + value) for the keys a
 * connector of this runtime reads. Definitions cover the common connector keys and
 * the file connectors' own; the documentation texts are this toolkit's.
 */
import type { ConnectorPlugin } from './connector.js';
import { CONVERTER_CLASSES } from './converters.js';

interface Definition {
  name: string;
  type: 'STRING' | 'INT' | 'CLASS' | 'LIST';
  required: boolean;
  default: string | null;
  importance: 'HIGH' | 'MEDIUM' | 'LOW';
  doc: string;
  group: string | null;
  width: 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';
  display: string;
  order: number;
}

const COMMON: Definition[] = [
  { name: 'name', type: 'STRING', required: true, default: null, importance: 'HIGH', doc: 'The connector name, unique within the Connect cluster.', group: 'Common', width: 'MEDIUM', display: 'Connector name', order: 1 },
  { name: 'connector.class', type: 'STRING', required: true, default: null, importance: 'HIGH', doc: 'The connector class: its full name or an alias such as FileStreamSource or FileStreamSinkConnector.', group: 'Common', width: 'LONG', display: 'Connector class', order: 2 },
  { name: 'tasks.max', type: 'INT', required: false, default: '1', importance: 'HIGH', doc: 'The most tasks this connector may run.', group: 'Common', width: 'SHORT', display: 'Tasks max', order: 3 },
  { name: 'key.converter', type: 'CLASS', required: false, default: null, importance: 'LOW', doc: `Converter for record keys, overriding the worker's (${CONVERTER_CLASSES.join(', ')}).`, group: 'Common', width: 'SHORT', display: 'Key converter class', order: 4 },
  { name: 'value.converter', type: 'CLASS', required: false, default: null, importance: 'LOW', doc: `Converter for record values, overriding the worker's (${CONVERTER_CLASSES.join(', ')}).`, group: 'Common', width: 'SHORT', display: 'Value converter class', order: 5 },
];

const SINK: Definition[] = [
  { name: 'topics', type: 'LIST', required: false, default: '', importance: 'HIGH', doc: 'Comma-separated topics to consume.', group: 'Common', width: 'LONG', display: 'Topics', order: 4 },
  { name: 'topics.regex', type: 'STRING', required: false, default: '', importance: 'HIGH', doc: 'A regular expression matching the topics to consume; use it instead of topics.', group: 'Common', width: 'LONG', display: 'Topics regex', order: 4 },
  { name: 'file', type: 'STRING', required: false, default: null, importance: 'HIGH', doc: 'The file the records are appended to, one line each; standard output when not set.', group: null, width: 'NONE', display: 'file', order: -1 },
];

const SOURCE: Definition[] = [
  { name: 'file', type: 'STRING', required: false, default: null, importance: 'HIGH', doc: 'The file whose lines are sent, followed as it grows.', group: null, width: 'NONE', display: 'file', order: -1 },
  { name: 'topic', type: 'LIST', required: false, default: null, importance: 'HIGH', doc: 'The one topic the lines are sent to.', group: null, width: 'NONE', display: 'topic', order: -1 },
  { name: 'batch.size', type: 'INT', required: false, default: '2000', importance: 'LOW', doc: 'The most lines one poll returns.', group: null, width: 'NONE', display: 'batch.size', order: -1 },
];

const str = (s: string | null): string => (s === null ? 'null' : JSON.stringify(s));

export function validateConnectorConfig(plugin: ConnectorPlugin, config: Record<string, string>): string {
  const definitions = [...COMMON, ...(plugin.type === 'sink' ? SINK : SOURCE)];
  const problems = plugin.validate(config);
  let errorCount = 0;
  const configs = definitions.map((d) => {
    const errors: string[] = [];
    const value = config[d.name] ?? d.default;
    if (d.required && (value === null || value === '')) errors.push(`Missing required configuration "${d.name}" which has no default value.`);
    for (const p of problems) if (p.key === d.name) errors.push(p.message);
    errorCount += errors.length;
    const definition = `{"name":${str(d.name)},"type":${str(d.type)},"required":${d.required},"default_value":${str(d.default)},"importance":${str(d.importance)},` +
      `"documentation":${str(d.doc)},"group":${str(d.group)},"width":${str(d.width)},"display_name":${str(d.display)},"dependents":[],"order":${d.order}}`;
    const valueJson = `{"name":${str(d.name)},"value":${str(value)},"recommended_values":[],"errors":[${errors.map(str).join(',')}],"visible":true}`;
    return `{"definition":${definition},"value":${valueJson}}`;
  });
  return `{"name":${str(config['connector.class'] ?? plugin.className)},"error_count":${errorCount},"groups":["Common"],"configs":[${configs.join(',')}]}`;
}
