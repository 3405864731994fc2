/**
 * The layer rule from DEVELOPERS.md: each folder under src/ imports only from the
 * layers before it (protocol → storage → network → metadata → broker → coordinator →
 * cluster → cli). network/ is the outbound Kafka client (the CLI's today, follower
 * fetchers' and broker → controller traffic's tomorrow); metadata/ is the cluster
 * metadata log.
 * src/index.ts is the composition root and may import every layer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '..', 'src');
const ORDER = ['protocol', 'storage', 'network', 'metadata', 'broker', 'coordinator', 'cluster', 'connect', 'cli'];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

function layerOf(file: string): string | null {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? rel[0] : null;
}

/** Every relative import of every file under src/, as [importing file, its layer, the import's layer (null: src/index.ts)]. */
function relativeImports(): Array<{ file: string; layer: string | null; spec: string; target: string | null }> {
  const found: Array<{ file: string; layer: string | null; spec: string; target: string | null }> = [];
  for (const file of filesUnder(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'(\.[^']+)'/gm)) {
      found.push({ file: path.relative(SRC, file), layer: layerOf(file), spec: m[1], target: layerOf(path.resolve(path.dirname(file), m[1])) });
    }
  }
  return found;
}

describe('layering', () => {
  it('every import points to the same or an earlier layer', () => {
    const violations: string[] = [];
    for (const file of filesUnder(SRC)) {
      const layer = layerOf(file);
      if (!layer) continue;
      const rank = ORDER.indexOf(layer);
      expect(rank, `unknown layer folder src/${layer}`).toBeGreaterThanOrEqual(0);
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'(\.[^']+)'/gm)) {
        const target = path.resolve(path.dirname(file), m[1]);
        const targetLayer = layerOf(target);
        if (targetLayer === null) {
          // src/index.ts: only the CLI may start the whole broker
          if (layer !== 'cli') violations.push(`${path.relative(SRC, file)} imports the composition root ${m[1]}`);
          continue;
        }
        if (ORDER.indexOf(targetLayer) > rank) violations.push(`${path.relative(SRC, file)} (${layer}) imports ${m[1]} (${targetLayer})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('storage/ and metadata/ never reach up into broker/, coordinator/ or cli/', () => {
    // follows from the order, spelled out because both are loaded by tools that
    // must not start a broker (kafka-dump-log, a future metadata shell)
    const forbidden = new Set(['broker', 'coordinator', 'cli']);
    const violations = relativeImports()
      .filter((i) => (i.layer === 'storage' || i.layer === 'metadata') && i.target !== null && forbidden.has(i.target))
      .map((i) => `${i.file} imports ${i.spec}`);
    expect(violations).toEqual([]);
  });

  it('network/ depends on nothing but protocol/ (it is the client every later layer shares)', () => {
    const violations = relativeImports()
      .filter((i) => i.layer === 'network' && i.target !== 'network' && i.target !== 'protocol')
      .map((i) => `${i.file} imports ${i.spec}`);
    expect(violations).toEqual([]);
  });
});
