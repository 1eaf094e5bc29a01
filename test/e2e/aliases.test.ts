/**
 * Policy store aliases end to end: `PolicyStoreId: policy-store-alias/<name>` through Create,
 * Update and Delete; an alias and the id of one store are one store (no replacement, one
 * source, the ownership record under the store's id); an alias of another store replaces;
 * `GetPolicyStoreAlias` only when an alias is involved; malformed aliases FAILED naming
 * `PolicyStoreId`. The bundle on the stand-ins, the double resolving aliases as the service does.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Exchange, LocalStack } from '../../local/local-stack.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { useLocalStack } from '../support/local-stack-hooks.js';

let stack: LocalStack;
useLocalStack((started) => {
  stack = started;
});

const propertiesIn = (policyStoreId: string, overrides: Record<string, unknown> = {}) => ({
  ...cognitoProperties(overrides),
  PolicyStoreId: policyStoreId,
});
const operations = ({ apiCalls }: Exchange) => apiCalls.map((c) => c.operation);
const sourcesIn = (storeId: string) =>
  stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === storeId);

/** A fresh store and an alias of it. */
function aliasedStore(name: string) {
  const store = stack.verifiedPermissions.addPolicyStore();
  const alias = stack.verifiedPermissions.addPolicyStoreAlias(`policy-store-alias/${name}`, store);
  return { store, alias };
}

/** The ownership record of a store, as the provider keeps it (by the store's id). */
async function ownershipOf(storeId: string) {
  const dynamo = stack.dynamo!;
  const { Item } = await dynamo.client.send(
    new GetItemCommand({
      TableName: dynamo.tableName,
      Key: { id: { S: `ownership#123456789012#${stack.region}#${storeId}` } },
    }),
  );
  return Item;
}

async function send(
  RequestType: 'Create' | 'Update' | 'Delete',
  LogicalResourceId: string,
  ResourceProperties: Record<string, unknown>,
  extra: { PhysicalResourceId?: string; OldResourceProperties?: Record<string, unknown> } = {},
) {
  return stack.send({ RequestType, LogicalResourceId, ResourceProperties, ...extra });
}

describe('PolicyStoreId as a policy store alias', () => {
  it('creates, updates and deletes through an alias; ownership is recorded under the store id', async () => {
    const { store, alias } = aliasedStore('lifecycle/app_1');
    const properties = propertiesIn(alias);
    const created = await send('Create', 'AliasLifecycle', properties);
    expect(created.response?.Status, created.response?.Reason).toBe('SUCCESS');
    const id = created.response?.PhysicalResourceId as string;
    expect(operations(created)).toEqual(['CreateIdentitySource', 'GetPolicyStoreAlias']);
    expect(created.apiCalls[0]?.body).toMatchObject({ policyStoreId: alias });
    expect(created.apiCalls[1]?.body).toEqual({ aliasName: alias });
    expect(sourcesIn(store).map((s) => s.identitySourceId)).toEqual([id]);
    expect((await ownershipOf(store))?.identitySourceId).toEqual({ S: id });
    expect(await ownershipOf(alias)).toBeUndefined();

    const next = propertiesIn(alias, { PrincipalEntityType: 'MyApp::Person' });
    const updated = await send('Update', 'AliasLifecycle', next, {
      PhysicalResourceId: id,
      OldResourceProperties: properties,
    });
    expect(updated.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(operations(updated)).toEqual(['UpdateIdentitySource']);
    expect(updated.apiCalls[0]?.body).toMatchObject({ policyStoreId: alias, identitySourceId: id });
    expect(sourcesIn(store)[0]?.principalEntityType).toBe('MyApp::Person');

    const deleted = await send('Delete', 'AliasLifecycle', next, { PhysicalResourceId: id });
    expect(deleted.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(operations(deleted)).toEqual(['GetPolicyStoreAlias', 'DeleteIdentitySource']);
    expect(sourcesIn(store)).toEqual([]);
    expect(await ownershipOf(store)).toBeUndefined();
  });

  it('an Update from an alias to the id of its store, back, and to another alias of it is made in place', async () => {
    const { store, alias } = aliasedStore('same-store');
    const byAlias = propertiesIn(alias);
    const byId = propertiesIn(store, { PrincipalEntityType: 'MyApp::Person' });
    const created = await send('Create', 'AliasToId', byAlias);
    const id = created.response?.PhysicalResourceId as string;

    const toId = await send('Update', 'AliasToId', byId, {
      PhysicalResourceId: id,
      OldResourceProperties: byAlias,
    });
    expect(toId.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(operations(toId)).toEqual(['GetPolicyStoreAlias', 'UpdateIdentitySource']);
    expect(toId.apiCalls[1]?.body).toMatchObject({ policyStoreId: store, identitySourceId: id });
    expect(sourcesIn(store)).toMatchObject([
      { identitySourceId: id, principalEntityType: 'MyApp::Person' },
    ]);

    // and back (also what CloudFormation sends when it rolls the Update back)
    const toAlias = await send('Update', 'AliasToId', byAlias, {
      PhysicalResourceId: id,
      OldResourceProperties: byId,
    });
    expect(toAlias.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(operations(toAlias)).toEqual(['GetPolicyStoreAlias', 'UpdateIdentitySource']);
    expect(sourcesIn(store)).toMatchObject([
      { identitySourceId: id, principalEntityType: 'MyApp::User' },
    ]);

    // two aliases of one store: one store too
    const second = stack.verifiedPermissions.addPolicyStoreAlias(
      'policy-store-alias/same-2',
      store,
    );
    const toSecond = await send('Update', 'AliasToId', propertiesIn(second), {
      PhysicalResourceId: id,
      OldResourceProperties: byAlias,
    });
    expect(toSecond.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(operations(toSecond)).toEqual([
      'GetPolicyStoreAlias',
      'GetPolicyStoreAlias',
      'UpdateIdentitySource',
    ]);
    expect(sourcesIn(store)).toHaveLength(1);

    // the record made through the alias is the store's: a Delete by id finds it and deletes
    expect((await ownershipOf(store))?.identitySourceId).toEqual({ S: id });
    const deleted = await send('Delete', 'AliasToId', byId, { PhysicalResourceId: id });
    expect(deleted.response?.Status).toBe('SUCCESS');
    expect(operations(deleted)).toEqual(['DeleteIdentitySource']);
    expect(sourcesIn(store)).toEqual([]);
    expect(await ownershipOf(store)).toBeUndefined();
  });

  it('an Update to an alias of another store replaces; the cleanup Delete removes the old source', async () => {
    const first = stack.verifiedPermissions.addPolicyStore();
    const { store: second, alias } = aliasedStore('other-store');
    const old = propertiesIn(first);
    const created = await send('Create', 'AliasOfOther', old);
    const oldId = created.response?.PhysicalResourceId as string;

    const replaced = await send('Update', 'AliasOfOther', propertiesIn(alias), {
      PhysicalResourceId: oldId,
      OldResourceProperties: old,
    });
    expect(replaced.response?.Status, replaced.response?.Reason).toBe('SUCCESS');
    const newId = replaced.response?.PhysicalResourceId as string;
    expect(newId).not.toBe(oldId);
    expect(operations(replaced)).toEqual([
      'GetPolicyStoreAlias',
      'GetIdentitySource',
      'CreateIdentitySource',
      'GetPolicyStoreAlias',
    ]);
    expect(sourcesIn(second).map((s) => s.identitySourceId)).toEqual([newId]);

    const cleanup = await send('Delete', 'AliasOfOther', old, { PhysicalResourceId: oldId });
    expect(cleanup.response?.Status).toBe('SUCCESS');
    expect(sourcesIn(first)).toEqual([]);
    expect(sourcesIn(second).map((s) => s.identitySourceId)).toEqual([newId]);
  });

  it('calls GetPolicyStoreAlias only when an alias is involved', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const other = stack.verifiedPermissions.addPolicyStore();
    const created = await send('Create', 'IdsOnly', propertiesIn(store));
    const id = created.response?.PhysicalResourceId as string;
    const updated = await send(
      'Update',
      'IdsOnly',
      propertiesIn(store, { PrincipalEntityType: 'A::B' }),
      {
        PhysicalResourceId: id,
        OldResourceProperties: propertiesIn(store),
      },
    );
    const replaced = await send('Update', 'IdsOnly', propertiesIn(other), {
      PhysicalResourceId: id,
      OldResourceProperties: propertiesIn(store, { PrincipalEntityType: 'A::B' }),
    });
    const newId = replaced.response?.PhysicalResourceId as string;
    const cleanup = await send('Delete', 'IdsOnly', propertiesIn(store), {
      PhysicalResourceId: id,
    });
    const deleted = await send('Delete', 'IdsOnly', propertiesIn(other), {
      PhysicalResourceId: newId,
    });
    const exchanges = [created, updated, replaced, cleanup, deleted];
    expect(exchanges.map((e) => e.response?.Status)).toEqual(Array(5).fill('SUCCESS'));
    expect(exchanges.flatMap(operations)).not.toContain('GetPolicyStoreAlias');
    expect(exchanges.flatMap(operations)).toContain('CreateIdentitySource');
  });

  it('accepts an alias of 150 characters; every other malformed alias is FAILED naming PolicyStoreId', async () => {
    const longest = `policy-store-alias/${'a'.repeat(150 - 'policy-store-alias/'.length)}`;
    const store = stack.verifiedPermissions.addPolicyStore();
    stack.verifiedPermissions.addPolicyStoreAlias(longest, store);
    const accepted = await send('Create', 'LongestAlias', propertiesIn(longest));
    expect(accepted.response?.Status, accepted.response?.Reason).toBe('SUCCESS');
    expect(sourcesIn(store)).toHaveLength(1);

    const malformed = [
      `${longest}a`,
      'policy-store-alias/',
      'policy-store-alias/a.b',
      'policy-store-alias/with space',
      'Policy-Store-Alias/upper',
      'alias/payments',
    ];
    for (const [i, policyStoreId] of malformed.entries()) {
      const { response, apiCalls } = await send(
        'Create',
        `MalformedAlias${i}`,
        propertiesIn(policyStoreId),
      );
      expect(response?.Status, policyStoreId).toBe('FAILED');
      expect(response?.Reason, policyStoreId).toMatch(/PolicyStoreId: .*policy-store-alias\//);
      expect(apiCalls, policyStoreId).toEqual([]);
    }
    const id = accepted.response?.PhysicalResourceId as string;
    const badUpdate = await send('Update', 'LongestAlias', propertiesIn('policy-store-alias/a.b'), {
      PhysicalResourceId: id,
      OldResourceProperties: propertiesIn(longest),
    });
    expect(badUpdate.response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
    expect(badUpdate.response?.Reason).toMatch(/PolicyStoreId/);
    expect(badUpdate.apiCalls).toEqual([]);
  });
});
