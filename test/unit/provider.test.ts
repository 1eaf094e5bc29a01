import {
  CreateIdentitySourceCommand,
  DeleteIdentitySourceCommand,
  ListIdentitySourcesCommand,
  UpdateIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AssumeRole } from '../../src/identity-source/service.js';
import type { IdempotencyGuard } from '../../src/persistence/idempotency.js';
import type { Ownership } from '../../src/persistence/ownership.js';
import type { ResourceRecords } from '../../src/persistence/resource-record.js';
import { customResourceProvider, StillInProgressError } from '../../src/provider.js';
import { silentLog } from '../fixtures/log.js';
import { EXISTING_SOURCE, STORE_IS_FULL, useOwnership } from '../fixtures/ownership.js';
import { recordsLike } from '../fixtures/records.js';
import {
  cognitoProperties,
  createRequest,
  deleteRequest,
  IDENTITY_SOURCE_ID,
  oidcProperties,
  STACK_ID,
  toEvent,
  updateRequest,
} from '../fixtures/requests.js';
import { type ResponseRecorder, startResponseRecorder } from '../support/response-recorder.js';

const vp = mockClient(VerifiedPermissionsClient);
const client = new VerifiedPermissionsClient({ region: 'eu-west-1' });
const context = {
  getRemainingTimeInMillis: () => 10_000,
  logStreamName: '2026/11/22/[$LATEST]abc',
};
const unguarded: IdempotencyGuard = {
  run: async (_r, _c, compute) => ({ kind: 'computed', outcome: await compute() }),
};

let recorder: ResponseRecorder;
const responses = {
  url: () => recorder.url('/responses/r?X-Amz-Signature=topsecret'),
  get received() {
    return recorder.requests;
  },
  bodies: () => recorder.requests.map((r) => r.json as Record<string, unknown>),
};
beforeEach(async () => {
  vp.reset();
  recorder = await startResponseRecorder();
});
afterEach(() => recorder.close());

function provider(
  guard: IdempotencyGuard = unguarded,
  extra: { records?: ResourceRecords; ownership?: Ownership; assumeRole?: AssumeRole } = {},
) {
  const log = silentLog();
  const handle = customResourceProvider({
    clientFor: () => client,
    guard,
    log,
    defaultRegion: 'eu-west-1',
    allowedResponseHosts: ['127.0.0.1'],
    ...extra,
  });
  return { handle, log };
}

describe('customResourceProvider', () => {
  it('creates and answers SUCCESS with the id and Details', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew' } as never);
    const request = createRequest(cognitoProperties(), { responseUrl: responses.url() });
    const { handle, log } = provider();
    const result = await handle(toEvent(request), context);
    expect(result).toMatchObject({ answered: true, delivered: true });
    expect(responses.bodies()).toEqual([
      {
        Status: 'SUCCESS',
        PhysicalResourceId: 'ISnew',
        StackId: request.stackId,
        RequestId: request.requestId,
        LogicalResourceId: 'IdentitySource',
        NoEcho: false,
        Data: {
          IdentitySourceId: 'ISnew',
          'Details.ClientIds': ['client-a', 'client-b'],
          'Details.UserPoolArn':
            'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123',
          'Details.DiscoveryUrl': 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
          'Details.OpenIdIssuer': 'COGNITO',
        },
      },
    ]);
    const plan = log.lines.find((l) => l.message === 'Plan');
    expect(plan).toMatchObject({
      level: 'INFO',
      action: 'create',
      RequestId: request.requestId,
      StackId: request.stackId,
    });
    expect(JSON.stringify(log.lines)).not.toContain('topsecret');
  });

  it('answers FAILED naming each invalid property, without calling the API', async () => {
    const request = createRequest(
      { PolicyStoreId: 'PS1', Configuration: { CognitoUserPoolConfiguration: {} } },
      { responseUrl: responses.url() },
    );
    await provider().handle(toEvent(request), context);
    const [body] = responses.bodies();
    expect(body).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: `NotCreated:${request.requestId}`,
      Reason:
        'Invalid properties: Configuration.CognitoUserPoolConfiguration.UserPoolArn: is required',
    });
    expect(vp.calls()).toHaveLength(0);
  });

  it('answers FAILED to a malformed event that still has a usable ResponseURL', async () => {
    await provider().handle(
      {
        RequestType: 'Explode',
        ResponseURL: responses.url(),
        StackId: 's',
        RequestId: 'r',
        LogicalResourceId: 'L',
      },
      context,
    );
    const [body] = responses.bodies();
    expect(body).toMatchObject({
      Status: 'FAILED',
      StackId: 's',
      RequestId: 'r',
      LogicalResourceId: 'L',
    });
    expect(String(body?.Reason)).toMatch(
      /^Invalid request: RequestType: must be one of Create, Update, Delete/,
    );
  });

  /** Handles the request and checks that it was not acted on and not answered; the log. */
  async function unanswered(request: ReturnType<typeof createRequest>, why: string) {
    const { handle, log } = provider();
    expect(await handle(toEvent(request), context)).toEqual({ answered: false, why });
    expect(vp.calls()).toHaveLength(0);
    expect(responses.received).toHaveLength(0);
    return log.lines.find((l) => l.level === 'ERROR');
  }

  it('answers nothing and calls nothing for a ResponseURL that is not allowed', async () => {
    const request = createRequest(cognitoProperties(), {
      responseUrl: 'https://s3.amazonaws.com.evil.io/k?sig=topsecret',
    });
    const line = await unanswered(request, 'response-url-not-allowed');
    expect(line?.responseUrl).toBe('https://s3.amazonaws.com.evil.io/k');
  });

  it('acts on nothing and answers nothing when the ResponseURL has expired', async () => {
    const signed = new Date(Date.now() - 3 * 60 * 60 * 1000);
    const request = createRequest(cognitoProperties(), {
      responseUrl: signedUrl(signed.getTime()),
    });
    const line = await unanswered(request, 'response-url-expired');
    expect(line?.message).toMatch(/ResponseURL has expired/);
    expect(line?.expiredAt).toBe(
      new Date(signed.getTime() - (signed.getTime() % 1000) + 7_200_000).toISOString(),
    );
  });

  it('acts on nothing when CloudFormation stopped waiting (ServiceTimeout after it was signed)', async () => {
    const request = createRequest(cognitoProperties({ ServiceTimeout: '60' }), {
      responseUrl: signedUrl(Date.now() - 61_000),
    });
    const line = await unanswered(request, 'cloudformation-stopped-waiting');
    expect(line?.message).toMatch(/CloudFormation stopped waiting for this request/);
  });

  it('ends the work in time to answer before CloudFormation stops waiting', async () => {
    vp.on(CreateIdentitySourceCommand).callsFake(() => new Promise(() => {}));
    const signedAt = Date.now() - 2_000;
    const request = createRequest(cognitoProperties({ ServiceTimeout: '4' }), {
      responseUrl: signedUrl(signedAt),
    });
    // the Lambda would allow 10 s, and ServiceTimeout counted from now 4 s
    await provider().handle(toEvent(request), context);
    expect(responses.bodies()[0]).toMatchObject({ Status: 'FAILED' });
    expect(responses.received[0]?.time).toBeLessThan(signedAt - (signedAt % 1000) + 4_000);
  });

  it('sends no response, and ends with an error so that Lambda delivers it again, while the same request runs elsewhere', async () => {
    const waited: (number | undefined)[] = [];
    const inProgress: IdempotencyGuard = {
      run: async (_request, _context, _compute, options) => {
        waited.push(options?.waitUntil);
        return { kind: 'in-progress' };
      },
    };
    const request = createRequest(cognitoProperties(), { responseUrl: responses.url() });
    const started = Date.now();
    await expect(provider(inProgress).handle(toEvent(request), context)).rejects.toBeInstanceOf(
      StillInProgressError,
    );
    expect(responses.received).toHaveLength(0);
    // It waited for the holder until its own work time ended.
    expect(waited).toHaveLength(1);
    expect(waited[0]).toBeGreaterThan(started);
    expect(waited[0]).toBeLessThanOrEqual(started + 10_000);
  });

  it('still answers FAILED when something unexpected throws', async () => {
    const broken: IdempotencyGuard = {
      run: async () => {
        throw new Error('boom');
      },
    };
    const request = createRequest(cognitoProperties(), { responseUrl: responses.url() });
    await provider(broken).handle(toEvent(request), context);
    expect(responses.bodies()[0]).toMatchObject({
      Status: 'FAILED',
      Reason: 'internal error: boom',
    });
  });

  it('answers a Create that timed out with a marker carrying its clientToken', async () => {
    vp.on(CreateIdentitySourceCommand).callsFake(() => new Promise(() => {}));
    const request = createRequest(cognitoProperties(), { responseUrl: responses.url() });
    const shortContext = { ...context, getRemainingTimeInMillis: () => 1_500 };
    await provider().handle(toEvent(request), shortContext);
    expect(responses.bodies()[0]).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: `CreateUnconfirmed:${request.requestId}`,
    });
    expect(String(responses.bodies()[0]?.Reason)).toMatch(/timed out/);
  });
});

describe("customResourceProvider: the request in the resource's terms", () => {
  it('answers an in-place Update with the same id, and records what it applied once delivered', async () => {
    vp.on(UpdateIdentitySourceCommand).resolves({} as never);
    const { records, calls } = recordsLike();
    const request = updateRequest(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PrincipalEntityType: 'MyApp::Person' }),
      cognitoProperties(),
      { responseUrl: responses.url() },
    );
    await provider(unguarded, { records }).handle(toEvent(request), context);
    expect(responses.bodies()[0]).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: IDENTITY_SOURCE_ID,
    });
    expect(calls.find((c) => c.step === 'applied')?.args).toEqual([
      { stackId: STACK_ID, logicalResourceId: 'IdentitySource' },
      expect.objectContaining({ identitySourceId: IDENTITY_SOURCE_ID }),
    ]);
  });

  it('answers a failed Update with the id CloudFormation knows and the reason', async () => {
    vp.on(UpdateIdentitySourceCommand).rejects(STORE_IS_FULL);
    const request = updateRequest(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties(), {
      responseUrl: responses.url(),
    });
    await provider().handle(toEvent(request), context);
    const [body] = responses.bodies();
    expect(body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: IDENTITY_SOURCE_ID });
    expect(String(body?.Reason)).toMatch(
      /^UpdateIdentitySource failed in eu-west-1: the policy store/,
    );
  });

  it('answers FAILED, never throws, when the SDK call throws something unexpected', async () => {
    vp.on(CreateIdentitySourceCommand).callsFake(() => {
      throw new TypeError('kaboom');
    });
    const request = createRequest(cognitoProperties(), { responseUrl: responses.url() });
    await provider().handle(toEvent(request), context);
    // Thrown before any request left: nothing was made, and the marker says so.
    expect(responses.bodies()[0]).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: `NotCreated:${request.requestId}`,
      Reason: 'CreateIdentitySource failed in eu-west-1: TypeError: kaboom',
    });
  });

  it('passes the signing time of the ResponseURL as when the request was issued', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew' } as never);
    const { records, calls } = recordsLike();
    const signedAt = Date.now() - 5_000;
    const request = createRequest(cognitoProperties(), { responseUrl: signedUrl(signedAt) });
    await provider(unguarded, { records }).handle(toEvent(request), context);
    expect(calls[0]).toMatchObject({
      step: 'begin',
      args: [
        { stackId: STACK_ID, logicalResourceId: 'IdentitySource' },
        { kind: 'create', requestId: request.requestId, issuedAt: signedAt - (signedAt % 1000) },
      ],
    });
  });

  it('settles a successful Create after its answer: answered when delivered, created when not', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew' } as never);
    const delivered = recordsLike();
    const request = createRequest(cognitoProperties(), { responseUrl: responses.url() });
    await provider(unguarded, { records: delivered.records }).handle(toEvent(request), context);
    expect(delivered.steps()).toEqual(['begin', 'settle']);
    expect(delivered.calls[1]?.args).toMatchObject([
      { stackId: STACK_ID, logicalResourceId: 'IdentitySource' },
      request.requestId,
      { identitySourceId: 'ISnew', answered: true },
    ]);

    const lost = recordsLike();
    const log = silentLog();
    const handle = customResourceProvider({
      clientFor: () => client,
      guard: unguarded,
      log,
      defaultRegion: 'eu-west-1',
      allowedResponseHosts: ['127.0.0.1'],
      records: lost.records,
      put: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
      sleep: async () => {},
    });
    const again = createRequest(cognitoProperties(), { responseUrl: responses.url() });
    // the answer was not delivered: a function error, so that Lambda delivers the event again
    await expect(
      handle(toEvent(again), { ...context, getRemainingTimeInMillis: () => 3_000 }),
    ).rejects.toThrow(/could not be delivered/);
    expect(lost.calls.find((c) => c.step === 'settle')?.args[2]).toEqual({
      identitySourceId: 'ISnew',
      answered: false,
    });
  });

  it('leaves Deletes and FAILED outcomes alone after the answer', async () => {
    vp.on(DeleteIdentitySourceCommand).resolves({} as never);
    const { records, steps } = recordsLike();
    const del = deleteRequest(IDENTITY_SOURCE_ID, cognitoProperties());
    await provider(unguarded, { records }).handle(
      toEvent({ ...del, responseUrl: responses.url() }),
      context,
    );
    const failing = createRequest({ PolicyStoreId: 'PS1' }, { responseUrl: responses.url() });
    await provider(unguarded, { records }).handle(toEvent(failing), context);
    // the Delete lets go of its source, then records that CloudFormation gave up on the rest
    expect(steps()).toEqual(['released', 'cancel']);
  });
});

describe('customResourceProvider: a full store', () => {
  const table = useOwnership();

  it('answers FAILED naming AdoptExisting, with the marker of a Create that made nothing, settled so', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(STORE_IS_FULL);
    vp.on(ListIdentitySourcesCommand).resolves({ identitySources: [EXISTING_SOURCE] } as never);
    const { records, calls } = recordsLike();
    const request = createRequest(cognitoProperties(), { responseUrl: responses.url() });
    await provider(unguarded, { records, ownership: table.ownership }).handle(toEvent(request), {
      ...context,
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:p',
    });
    const [body] = responses.bodies();
    expect(body).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: `NotCreated:${request.requestId}`,
    });
    expect(String(body?.Reason)).toMatch(
      /already holds its one identity source .*Set AdoptExisting: true/,
    );
    expect(vp).toHaveReceivedCommandTimes(UpdateIdentitySourceCommand, 0);
    // A later sweep replays nothing for it.
    expect(calls.find((c) => c.step === 'settle')?.args[2]).toEqual({
      failed: true,
      mayHaveTakenEffect: false,
    });
  });
});

describe('customResourceProvider with RoleArn', () => {
  const RoleArn = 'arn:aws:iam::111122223333:role/IdentitySourceManager';

  it('answers FAILED naming the role, with no Verified Permissions call, when it is denied', async () => {
    const request = createRequest(cognitoProperties({ RoleArn }), { responseUrl: responses.url() });
    await provider(unguarded, {
      assumeRole: async () => {
        throw Object.assign(new Error('not authorized'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        });
      },
    }).handle(toEvent(request), context);
    const [body] = responses.bodies();
    expect(body).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: `NotCreated:${request.requestId}`,
    });
    expect(String(body?.Reason)).toMatch(
      new RegExp(`^could not assume RoleArn ${RoleArn} in eu-west-1`),
    );
    expect(vp.calls()).toHaveLength(0);
  });

  it('assumes the role once per invocation, for the work and what follows the answer', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew' } as never);
    const sessions: string[] = [];
    const { records } = recordsLike();
    const request = createRequest(cognitoProperties({ RoleArn }), { responseUrl: responses.url() });
    await provider(unguarded, {
      records,
      assumeRole: async ({ sessionName }) => {
        sessions.push(sessionName);
        return { accessKeyId: 'ASIAROLE', secretAccessKey: 's' };
      },
    }).handle(toEvent(request), context);
    expect(responses.bodies()[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'ISnew' });
    expect(sessions).toEqual([`cfn-IdentitySource-${request.requestId}`]);
  });
});

/** A SigV4 pre-signed ResponseURL at the recorder, signed at `time` (epoch ms) for two hours. */
function signedUrl(time: number): string {
  const amzDate = new Date(time)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return recorder.url(
    `/responses/r?X-Amz-Date=${amzDate}&X-Amz-Expires=7200&X-Amz-Signature=topsecret`,
  );
}
