/**
 * Every AWS partition end to end. In each, the built bundle runs in a Lambda-like process in one
 * of the partition's regions (`AWS_REGION`) and answers a Create whose ResponseURL is on
 * CloudFormation's genuine response host there —
 * `https://cloudformation-custom-resource-response-<region without hyphens>.s3.<region>.<dnsSuffix>/…`,
 * port-less, SigV4-signed for that host — over real HTTPS with a certificate checked against that
 * name (`local/genuine-response-host.ts`), while `RESPONSE_URL_ALLOWED_HOSTS` lists nothing; the
 * response is read back from that bucket. Look-alike ResponseURLs are refused without a
 * connection: their hosts lead to a trap that records every connection, and none arrives.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GenuineResponseHost,
  type ResponseSite,
  startGenuineResponseHost,
} from '../../local/genuine-response-host.js';
import { type LocalStack, type StackRequest, startLocalStack } from '../../local/local-stack.js';
import { cloudFormationResponseKey } from '../../local/response-bucket.js';
import { cognitoProperties, oidcProperties } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';

/** One region of each partition, and its response host as CloudFormation names it. */
const PARTITIONS = [
  {
    partition: 'aws',
    region: 'us-east-1',
    dnsSuffix: 'amazonaws.com',
    host: 'cloudformation-custom-resource-response-useast1.s3.us-east-1.amazonaws.com',
  },
  {
    partition: 'aws-cn',
    region: 'cn-north-1',
    dnsSuffix: 'amazonaws.com.cn',
    host: 'cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn',
  },
  {
    partition: 'aws-us-gov',
    region: 'us-gov-west-1',
    dnsSuffix: 'amazonaws.com',
    host: 'cloudformation-custom-resource-response-usgovwest1.s3.us-gov-west-1.amazonaws.com',
  },
  {
    partition: 'aws-iso',
    region: 'us-iso-east-1',
    dnsSuffix: 'c2s.ic.gov',
    host: 'cloudformation-custom-resource-response-usisoeast1.s3.us-iso-east-1.c2s.ic.gov',
  },
  {
    partition: 'aws-iso-b',
    region: 'us-isob-east-1',
    dnsSuffix: 'sc2s.sgov.gov',
    host: 'cloudformation-custom-resource-response-usisobeast1.s3.us-isob-east-1.sc2s.sgov.gov',
  },
  {
    partition: 'aws-iso-e',
    region: 'eu-isoe-west-1',
    dnsSuffix: 'cloud.adc-e.uk',
    host: 'cloudformation-custom-resource-response-euisoewest1.s3.eu-isoe-west-1.cloud.adc-e.uk',
  },
  {
    partition: 'aws-iso-f',
    region: 'us-isof-south-1',
    dnsSuffix: 'csp.hci.ic.gov',
    host: 'cloudformation-custom-resource-response-usisofsouth1.s3.us-isof-south-1.csp.hci.ic.gov',
  },
  {
    partition: 'aws-eusc',
    region: 'eusc-de-east-1',
    dnsSuffix: 'amazonaws.eu',
    host: 'cloudformation-custom-resource-response-euscdeeast1.s3.eusc-de-east-1.amazonaws.eu',
  },
] as const;

/** CloudFormation's global form in us-east-1: `<bucket>.s3.amazonaws.com`. */
const US_EAST_1_GLOBAL: ResponseSite = {
  region: 'us-east-1',
  endpoint: 'https://s3.amazonaws.com',
};

const EUSC = 'cloudformation-custom-resource-response-euscdeeast1.s3.eusc-de-east-1.amazonaws.eu';

/** ResponseURL origins that must be refused; each gets the path and signed query of a genuine URL. */
const LOOK_ALIKES: readonly (readonly [string, string])[] = [
  ['a partition suffix followed by more labels', 'https://s3.amazonaws.eu.evil.io'],
  ['the genuine host followed by more labels', `https://${EUSC}.evil.io`],
  ['evil-amazonaws.eu', 'https://s3.evil-amazonaws.eu'],
  [
    'the genuine bucket and region under evil-amazonaws.eu',
    'https://cloudformation-custom-resource-response-euscdeeast1.s3.eusc-de-east-1.evil-amazonaws.eu',
  ],
  [
    'the eusc region under the aws suffix',
    'https://cloudformation-custom-resource-response-euscdeeast1.s3.eusc-de-east-1.amazonaws.com',
  ],
  [
    'a China region under the aws suffix',
    'https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com',
  ],
  [
    'an aws region under the China suffix',
    'https://cloudformation-custom-resource-response-useast1.s3.us-east-1.amazonaws.com.cn',
  ],
  [
    'a GovCloud region under the eusc suffix',
    'https://cloudformation-custom-resource-response-usgovwest1.s3.us-gov-west-1.amazonaws.eu',
  ],
  [
    'an ISO region under the aws suffix',
    'https://cloudformation-custom-resource-response-usisoeast1.s3.us-iso-east-1.amazonaws.com',
  ],
  ['user information before another host', `https://${EUSC}@evil.example`],
  ['user information before the genuine host', `https://deployer:secret@${EUSC}`],
  ['an IPv4 literal', 'https://52.219.170.1'],
  ['an IPv6 literal', 'https://[2600:1fa0:8000::1]'],
  ['a port on the genuine host', `https://${EUSC}:8443`],
  ['plain http to the genuine host', `http://${EUSC}`],
];

let host: GenuineResponseHost;
const stacks = new Map<string, LocalStack>();

beforeAll(async () => {
  const served = new Set(PARTITIONS.map((p) => p.host as string));
  host = await startGenuineResponseHost({
    sites: [...PARTITIONS.map((p) => p.region), US_EAST_1_GLOBAL],
    trapHosts: LOOK_ALIKES.map(([, origin]) => new URL(origin).hostname).filter(
      (name) => !served.has(name),
    ),
  });
  const started = await Promise.all(
    PARTITIONS.map(({ region }) =>
      startLocalStack({ region, responseHost: host, env: { RESPONSE_URL_ALLOWED_HOSTS: '' } }),
    ),
  );
  for (const stack of started) stacks.set(stack.region, stack);
});

afterAll(async () => {
  const logs = [...stacks.values()].flatMap((stack) => stack.logs);
  expect(signatureLeaks(logs)).toEqual([]);
  expect(logs.filter((line) => line.includes('secret'))).toEqual([]);
  await Promise.all([...stacks.values()].map((stack) => stack.close()));
  await host?.stop();
});

function stackIn(region: string): LocalStack {
  const stack = stacks.get(region);
  if (stack === undefined) throw new Error(`no stack in ${region}`);
  return stack;
}

/** A Cognito source on a user pool of the region's partition. */
function cognitoIn(store: string, partition: string, region: string) {
  return cognitoProperties({
    PolicyStoreId: store,
    Configuration: {
      CognitoUserPoolConfiguration: {
        UserPoolArn: `arn:${partition}:cognito-idp:${region}:123456789012:userpool/${region}_AbCdEf123`,
        ClientIds: ['client-a'],
      },
    },
  });
}

function create(logicalId: string, properties: Record<string, unknown>): StackRequest {
  return { RequestType: 'Create', LogicalResourceId: logicalId, ResourceProperties: properties };
}

describe.each(PARTITIONS)(
  '$partition ($region)',
  ({ partition, region, dnsSuffix, host: name }) => {
    it(`answers a Create on ${name}; DiscoveryUrl under ${dnsSuffix}`, async () => {
      const stack = stackIn(region);
      expect(stack.env).toMatchObject({ AWS_REGION: region, RESPONSE_URL_ALLOWED_HOSTS: '' });
      const store = stack.verifiedPermissions.addPolicyStore();
      const connectionsBefore = host.connections.length;
      const putsBefore = host.bucket.requests.length;

      const { event, response, apiCalls } = await stack.send(
        create(`Source-${partition}`, cognitoIn(store, partition, region)),
      );

      const url = new URL(event.ResponseURL as string);
      expect(`${url.protocol}//${url.host}`).toBe(`https://${name}`);
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
      expect(response?.Status, response?.Reason).toBe('SUCCESS');
      expect(response?.Data?.['Details.DiscoveryUrl']).toBe(
        `https://cognito-idp.${region}.${dnsSuffix}/${region}_AbCdEf123`,
      );
      expect(apiCalls.map((call) => [call.operation, call.region])).toEqual([
        ['CreateIdentitySource', region],
      ]);
      // one TLS connection, for the genuine name; one PUT, sent to that host and accepted
      expect(host.connections.slice(connectionsBefore)).toEqual([
        expect.objectContaining({ listener: 'front', servername: name }),
      ]);
      expect(
        host.bucket.requests
          .slice(putsBefore)
          .filter((request) => request.method === 'PUT')
          .map((request) => [request.host, request.status]),
      ).toEqual([[name, 200]]);
    });
  },
);

describe('other host forms and regions', () => {
  it('answers on the global us-east-1 form <bucket>.s3.amazonaws.com', async () => {
    const stack = stackIn('us-east-1');
    const RequestId = randomUUID();
    const LogicalResourceId = 'SourceGlobalForm';
    const key = cloudFormationResponseKey({ StackId: stack.stackId, LogicalResourceId, RequestId });
    const responseUrl = await host.responseUrl(US_EAST_1_GLOBAL, key);
    expect(new URL(responseUrl).host).toBe(
      'cloudformation-custom-resource-response-useast1.s3.amazonaws.com',
    );
    const store = stack.verifiedPermissions.addPolicyStore();
    const { response } = await stack.send(
      { ...create(LogicalResourceId, cognitoIn(store, 'aws', 'us-east-1')), RequestId },
      { responseUrl },
    );
    expect(response?.Status, response?.Reason).toBe('SUCCESS');
  });

  it('Region: eusc-de-east-1 — Create and Delete are signed for it', async () => {
    const stack = stackIn('eusc-de-east-1');
    const store = stack.verifiedPermissions.addPolicyStore();
    const properties = {
      ...cognitoIn(store, 'aws-eusc', 'eusc-de-east-1'),
      Region: 'eusc-de-east-1',
    };
    const created = await stack.send(create('SourceInEusc', properties));
    expect(created.response?.Status, created.response?.Reason).toBe('SUCCESS');
    const deleted = await stack.send({
      RequestType: 'Delete',
      LogicalResourceId: 'SourceInEusc',
      PhysicalResourceId: created.response?.PhysicalResourceId as string,
      ResourceProperties: properties,
    });
    expect(deleted.response?.Status, deleted.response?.Reason).toBe('SUCCESS');
    const calls = [...created.apiCalls, ...deleted.apiCalls];
    expect(calls.map((call) => call.operation)).toContain('DeleteIdentitySource');
    expect(new Set(calls.map((call) => call.region))).toEqual(new Set(['eusc-de-east-1']));
    expect(stack.verifiedPermissions.identitySources()).not.toContainEqual(
      expect.objectContaining({ policyStoreId: store }),
    );
  });

  it('Region: us-iso-west-1 from a function in us-iso-east-1 — the calls are signed for it', async () => {
    const stack = stackIn('us-iso-east-1');
    const store = stack.verifiedPermissions.addPolicyStore();
    const properties = { ...cognitoIn(store, 'aws-iso', 'us-iso-west-1'), Region: 'us-iso-west-1' };
    const created = await stack.send(create('SourceInIsoWest', properties));
    expect(created.response?.Status, created.response?.Reason).toBe('SUCCESS');
    expect(created.response?.Data?.['Details.DiscoveryUrl']).toBe(
      'https://cognito-idp.us-iso-west-1.c2s.ic.gov/us-iso-west-1_AbCdEf123',
    );
    expect(created.apiCalls.map((call) => [call.operation, call.region])).toEqual([
      ['CreateIdentitySource', 'us-iso-west-1'],
    ]);
    expect(stack.verifiedPermissions.identitySources()).toContainEqual(
      expect.objectContaining({ policyStoreId: store, region: 'us-iso-west-1' }),
    );
  });

  it('Region: cn-northwest-1 from a function in cn-north-1 — an OIDC source (China has no Cognito)', async () => {
    const stack = stackIn('cn-north-1');
    const store = stack.verifiedPermissions.addPolicyStore();
    const properties = oidcProperties({ PolicyStoreId: store, Region: 'cn-northwest-1' });
    const { response, apiCalls } = await stack.send(create('OidcInNingxia', properties));
    expect(response?.Status, response?.Reason).toBe('SUCCESS');
    expect(apiCalls.map((call) => [call.operation, call.region])).toEqual([
      ['CreateIdentitySource', 'cn-northwest-1'],
    ]);
  });
});

describe('look-alike ResponseURLs', () => {
  it.each(LOOK_ALIKES)('refuses %s, without a connection or any call', async (_what, origin) => {
    const stack = stackIn('eusc-de-east-1');
    const RequestId = randomUUID();
    const LogicalResourceId = 'SourceLookAlike';
    const key = cloudFormationResponseKey({ StackId: stack.stackId, LogicalResourceId, RequestId });
    const genuine = new URL(await host.responseUrl('eusc-de-east-1', key));
    const responseUrl = `${origin}${genuine.pathname}${genuine.search}`;
    const store = stack.verifiedPermissions.addPolicyStore();
    const connectionsBefore = host.connections.length;

    const { response, apiCalls, networkCalls, invocation } = await stack.send(
      { ...create(LogicalResourceId, cognitoIn(store, 'aws-eusc', 'eusc-de-east-1')), RequestId },
      { responseUrl },
    );

    expect(invocation.error).toBeUndefined();
    expect(invocation.logs.join('\n')).toContain('ResponseURL is not allowed');
    expect(host.connections.slice(connectionsBefore)).toEqual([]);
    expect(apiCalls).toEqual([]);
    expect(networkCalls).toEqual([]);
    expect(response).toBeUndefined();
  });
});
