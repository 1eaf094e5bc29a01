import {
  CreateIdentitySourceCommand,
  DeleteIdentitySourceCommand,
  UpdateIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { release, releaseUnconfirmed } from '../../../src/identity-source/release.js';
import { silentLog } from '../../fixtures/log.js';
import {
  EXISTING_PREVIOUS,
  resourceNamed,
  STORE,
  STORE_IS_FULL,
  useOwnership,
} from '../../fixtures/ownership.js';
import { POLICY_STORE_ID } from '../../fixtures/requests.js';

const vp = mockClient(VerifiedPermissionsClient);
const client = new VerifiedPermissionsClient({ region: 'eu-west-1' });
const table = useOwnership();
beforeEach(() => {
  vp.reset();
  vp.on(DeleteIdentitySourceCommand).resolves({} as never);
  vp.on(UpdateIdentitySourceCommand).resolves({} as never);
});

const target = { region: 'eu-west-1' };
const source = { policyStoreId: POLICY_STORE_ID, identitySourceId: 'IS1' };
const [oldName, newName] = [resourceNamed('OldName'), resourceNamed('NewName')];
const deps = (rollingBack?: boolean) => ({
  clientFor: () => client,
  workEndsAt: Date.now() + 5_000,
  log: silentLog(),
  sleep: async () => {},
  ownership: table.ownership,
  functionAccountId: '123456789012',
  stackRollingBack: async () => rollingBack,
});
const takenOver = async (adopted: boolean) =>
  table.ownership.write(
    STORE,
    {
      identitySourceId: 'IS1',
      owner: newName,
      handBack: { ...(adopted ? {} : { from: oldName }), adopted, previous: EXISTING_PREVIOUS },
    },
    undefined,
  );
const handedBack = () => {
  expect(vp).toHaveReceivedCommandTimes(DeleteIdentitySourceCommand, 0);
  expect(vp).toHaveReceivedCommandWith(UpdateIdentitySourceCommand, {
    ...source,
    updateConfiguration: EXISTING_PREVIOUS.configuration,
    principalEntityType: 'Old::User',
  });
};

describe('release', () => {
  it('deletes a source its resource plainly owns, and its record', async () => {
    await table.ownership.recordMade(STORE, 'IS1', newName);
    expect(await release(target, source, newName, deps())).toEqual({ kind: 'deleted' });
    expect(vp).toHaveReceivedCommandWith(DeleteIdentitySourceCommand, source);
    expect(await table.ownership.read(STORE)).toBeUndefined();
  });

  it('deletes a source the provider knows no owner of', async () => {
    expect(await release(target, source, newName, deps())).toEqual({ kind: 'deleted' });
  });

  it("leaves a renamed resource's source to its new owner, completing the takeover", async () => {
    await takenOver(false);
    expect(await release(target, source, oldName, deps())).toEqual({ kind: 'left-to-owner' });
    expect(vp.calls()).toHaveLength(0);
    const record = await table.ownership.read(STORE);
    expect(record).toMatchObject({ owner: newName });
    expect(record?.handBack).toBeUndefined();
    // from then on, the new owner's Delete deletes it
    expect(await release(target, source, newName, deps())).toEqual({ kind: 'deleted' });
  });

  it('hands a rename back, never deletes it, while the old resource still exists', async () => {
    await takenOver(false);
    expect(await release(target, source, newName, deps(false))).toEqual({ kind: 'handed-back' });
    handedBack();
    expect(await table.ownership.read(STORE)).toMatchObject({ owner: oldName });
    expect((await table.ownership.read(STORE))?.handBack).toBeUndefined();
  });

  it('deletes an adopted source outside a rollback', async () => {
    await takenOver(true);
    expect(await release(target, source, newName, deps(false))).toEqual({ kind: 'deleted' });
    expect(await table.ownership.read(STORE)).toBeUndefined();
  });

  it('hands an adopted source back during a rollback, and when the status cannot be read', async () => {
    for (const rollingBack of [true, undefined]) {
      vp.reset();
      await takenOver(true);
      const d = deps(rollingBack);
      expect(await release(target, source, newName, d)).toEqual({ kind: 'handed-back' });
      handedBack();
      expect(await table.ownership.read(STORE)).toBeUndefined();
      if (rollingBack === undefined) {
        expect(d.log.lines.some((l) => l.level === 'WARN' && /status/.test(l.message))).toBe(true);
      }
    }
  });
});

describe('releaseUnconfirmed', () => {
  it('finds a source the unconfirmed Create took over through its ownership record', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(STORE_IS_FULL);
    await takenOver(true);
    const replay = { clientToken: 't', policyStoreId: POLICY_STORE_ID, configuration: undefined };
    expect(await releaseUnconfirmed(target, replay, newName, deps(true))).toEqual({
      kind: 'handed-back',
    });
    handedBack();
  });
});
