/**
 * The committed src/protocol/generated files (metadata-records.ts, from the KRaft
 * record specs in metadata/, included) equal a fresh run of scripts/gen-protocol.mjs
 * over ../shared/kafka-protocol (when that folder exists).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const specDir = resolve(repoRoot, '..', 'shared', 'kafka-protocol');
const generatedDir = join(repoRoot, 'src', 'protocol', 'generated');
const haveSpecs = existsSync(specDir);

describe('generated protocol files', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'gen-protocol-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it.skipIf(!haveSpecs)('match a fresh generation from the Kafka JSON specs (skipped when ../shared/kafka-protocol is absent)', () => {
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'gen-protocol.mjs'), specDir, outDir], { stdio: 'pipe' });
    for (const file of ['schemas.ts', 'types.ts', 'api-keys.ts', 'metadata-records.ts']) {
      const fresh = readFileSync(join(outDir, file), 'utf8');
      const committed = readFileSync(join(generatedDir, file), 'utf8');
      expect(committed === fresh, `${file} is stale: run npm run gen:protocol`).toBe(true);
    }
  });

  it.skipIf(!haveSpecs)('carry no descriptive text from the specs', () => {
    const schemas = readFileSync(join(generatedDir, 'schemas.ts'), 'utf8');
    expect(schemas).not.toContain('"about"');
    expect(schemas).not.toContain('The topic name');
    const records = readFileSync(join(generatedDir, 'metadata-records.ts'), 'utf8');
    expect(records).not.toContain('"about"');
    expect(records).toContain('"kind":"metadata","name":"PartitionChangeRecord","apiKey":5');
  });
});
