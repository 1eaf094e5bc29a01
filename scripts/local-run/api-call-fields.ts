/**
 * The fields of a Verified Permissions request worth showing a person: which store and
 * source, and the gist of the configuration.
 *
 * @module
 */

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

/**
 * `[name, value]` pairs of a request body: `policyStoreId`, `identitySourceId`,
 * `principalEntityType`, `clientToken`, then which kind `configuration` / `updateConfiguration`
 * is, with its user pool or issuer, client ids or audiences, entity id prefix and group type.
 *
 * @example
 * keyFields({ policyStoreId: 'PS1', identitySourceId: 'IS1' }) // [['policyStoreId', 'PS1'], ['identitySourceId', 'IS1']]
 */
export function keyFields(body: unknown): Array<[string, string]> {
  if (!isRecord(body)) return [];
  const fields: Array<[string, string]> = [];
  for (const name of ['policyStoreId', 'identitySourceId', 'principalEntityType', 'clientToken']) {
    if (body[name] !== undefined) fields.push([name, text(body[name])]);
  }
  for (const name of ['configuration', 'updateConfiguration']) {
    const configuration = body[name];
    if (!isRecord(configuration)) continue;
    const cognito = configuration.cognitoUserPoolConfiguration;
    const oidc = configuration.openIdConnectConfiguration;
    if (isRecord(cognito)) {
      fields.push([name, 'cognitoUserPoolConfiguration']);
      fields.push(['userPoolArn', text(cognito.userPoolArn)]);
      if (cognito.clientIds !== undefined) fields.push(['clientIds', text(cognito.clientIds)]);
      pushGroup(fields, cognito.groupConfiguration);
    } else if (isRecord(oidc)) {
      fields.push([name, 'openIdConnectConfiguration']);
      fields.push(['issuer', text(oidc.issuer)]);
      if (oidc.entityIdPrefix !== undefined) {
        fields.push(['entityIdPrefix', text(oidc.entityIdPrefix)]);
      }
      const selection = isRecord(oidc.tokenSelection) ? oidc.tokenSelection : {};
      for (const [kind, detail] of Object.entries(selection)) {
        const audience = isRecord(detail) ? (detail.audiences ?? detail.clientIds) : undefined;
        fields.push([
          'tokenSelection',
          audience === undefined ? kind : `${kind} ${text(audience)}`,
        ]);
      }
      pushGroup(fields, oidc.groupConfiguration);
    }
  }
  return fields;
}

function pushGroup(fields: Array<[string, string]>, group: unknown): void {
  if (isRecord(group) && group.groupEntityType !== undefined) {
    fields.push(['groupEntityType', text(group.groupEntityType)]);
  }
}
