/**
 * `__cluster_metadata-0/quorum-state`: the raft election state a voter must not forget
 * across a restart (the epoch it is in, whom it voted for, the leader it knew), so it
 * never votes twice in one epoch. JSON as Kafka's FileQuorumStateStore writes
 * data_version 0: {"clusterId":"","leaderId":1,"leaderEpoch":5,"votedId":-1,
 * "appliedOffset":0,"currentVoters":[{"voterId":1},…],"data_version":0}. Written
 * atomically (temp file, fsync, rename) before the state it records is acted on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QUORUM_STATE_FILE } from '../../metadata/metadata-log.js';
import { writeFileAtomically } from '../../storage/checkpoint-file.js';

export interface ElectionState {
  readonly epoch: number;
  /** the leader of `epoch` when known */
  readonly leaderId: number | null;
  /** whom this node voted for in `epoch` */
  readonly votedId: number | null;
  readonly voters: readonly number[];
}

export class QuorumStateFile {
  readonly path: string;

  constructor(metadataLogDir: string) {
    this.path = join(metadataLogDir, QUORUM_STATE_FILE);
  }

  /** The stored state; null when there is none. Throws naming the file when it is unreadable. */
  read(): ElectionState | null {
    if (!existsSync(this.path)) return null;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      throw new Error(`The quorum state ${this.path} is not valid JSON: ${(err as Error).message}`);
    }
    const o = json as Record<string, unknown>;
    const int = (name: string): number => {
      const v = o[name];
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`The quorum state ${this.path} has no integer ${name}`);
      return v;
    };
    const leaderId = int('leaderId');
    const votedId = int('votedId');
    const voters = Array.isArray(o.currentVoters)
      ? (o.currentVoters as unknown[]).map((v) => (v as { voterId?: unknown }).voterId).filter((v): v is number => typeof v === 'number')
      : [];
    return { epoch: int('leaderEpoch'), leaderId: leaderId < 0 ? null : leaderId, votedId: votedId < 0 ? null : votedId, voters };
  }

  write(state: ElectionState): void {
    const json = {
      clusterId: '',
      leaderId: state.leaderId ?? -1,
      leaderEpoch: state.epoch,
      votedId: state.votedId ?? -1,
      appliedOffset: 0,
      currentVoters: state.voters.map((voterId) => ({ voterId })),
      data_version: 0,
    };
    writeFileAtomically(this.path, JSON.stringify(json));
  }
}
