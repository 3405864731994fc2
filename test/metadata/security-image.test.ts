/**
 * SCRAM credentials and ACL bindings in the metadata image: replayed from their records,
 * removed by the Remove* records, and rebuilt from imageRecords (what a snapshot holds).
 */
import { describe, expect, it } from 'vitest';
import { applyRecords, emptyImage, imageRecords } from '../../src/metadata/index.js';
import { metadataRecord } from '../../src/protocol/metadata-records.js';

const ACL_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

describe('security image', () => {
  it('keeps credentials and ACLs, applies removals, and survives a snapshot', () => {
    const creds = { salt: Buffer.from('salt'), storedKey: Buffer.alloc(32, 1), serverKey: Buffer.alloc(32, 2), iterations: 4096 };
    let image = applyRecords(emptyImage('c'), [
      metadataRecord('UserScramCredentialRecord', { name: 'alice', mechanism: 1, ...creds }),
      metadataRecord('UserScramCredentialRecord', { name: 'alice', mechanism: 2, ...creds, storedKey: Buffer.alloc(64, 1), serverKey: Buffer.alloc(64, 2) }),
      metadataRecord('AccessControlEntryRecord', { id: ACL_ID, resourceType: 2, resourceName: 't', patternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }),
    ]);
    expect([...image.security.scram.get('alice')!.keys()]).toEqual([1, 2]);
    expect(image.security.scram.get('alice')!.get(1)!.iterations).toBe(4096);
    expect(image.security.acls.get(ACL_ID)!.principal).toBe('User:alice');
    const rebuilt = applyRecords(emptyImage('c'), imageRecords(image));
    expect(rebuilt.security).toEqual(image.security);
    image = applyRecords(image, [
      metadataRecord('RemoveUserScramCredentialRecord', { name: 'alice', mechanism: 1 }),
      metadataRecord('RemoveAccessControlEntryRecord', { id: ACL_ID }),
    ]);
    expect([...image.security.scram.get('alice')!.keys()]).toEqual([2]);
    expect(image.security.acls.size).toBe(0);
    image = applyRecords(image, [metadataRecord('RemoveUserScramCredentialRecord', { name: 'alice', mechanism: 2 })]);
    expect(image.security.scram.has('alice')).toBe(false);
  });
});
