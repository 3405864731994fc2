/**
 * The connector plugins this runtime has (Kafka's plugin scanning, for the built-in
 * ones): looked up by full class name or by the aliases Kafka accepts, the simple
 * class name and the simple name without `Connector` (`FileStreamSource`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorPlugin } from './connector.js';
import { ConnectConfigError } from './errors.js';
import { fileStreamSink, fileStreamSource } from './file-stream.js';

export const CONNECTOR_PLUGINS: readonly ConnectorPlugin[] = [fileStreamSink, fileStreamSource];

function simpleName(className: string): string {
  return className.slice(className.lastIndexOf('.') + 1);
}

/** The aliases of a plugin, as Kafka's DelegatingClassLoader registers them. */
export function pluginAliases(plugin: ConnectorPlugin): string[] {
  const simple = simpleName(plugin.className);
  return [plugin.className, simple, simple.replace(/Connector$/, '')];
}

export function findConnectorPlugin(name: string): ConnectorPlugin | undefined {
  const wanted = name.trim();
  return CONNECTOR_PLUGINS.find((p) => pluginAliases(p).includes(wanted));
}

/** Kafka's message for a connector.class that names no plugin, listing the ones there are. */
export function unknownConnectorMessage(name: string): string {
  return `Failed to find any class that implements Connector and which name matches ${name}, available connectors are: ` +
    CONNECTOR_PLUGINS.map((p) => `${p.className} (${p.type}, alias ${pluginAliases(p)[2]})`).join(', ');
}

export function requireConnectorPlugin(name: string): ConnectorPlugin {
  const plugin = findConnectorPlugin(name);
  if (!plugin) throw new ConnectConfigError(unknownConnectorMessage(name));
  return plugin;
}

let cachedVersion: string | undefined;

/** The version the worker and its plugins report (the toolkit's package version). */
export function connectVersion(): string {
  if (cachedVersion) return cachedVersion;
  try {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string };
    cachedVersion = pkg.version ?? 'unknown';
  } catch {
    cachedVersion = 'unknown';
  }
  return cachedVersion;
}
