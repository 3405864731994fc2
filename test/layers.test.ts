/**
 * The layer rule from DEVELOPERS.md: each folder under src/ imports only from the
 * layers before it (protocol → storage → broker → coordinator → cluster → cli).
 * src/index.ts is the composition root and may import every layer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '..', 'src');
const ORDER = ['protocol', 'storage', 'broker', 'coordinator', 'cluster', 'cli'];

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
});
