import {
  CreateIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IdempotencyGuard } from '../../src/persistence/idempotency.js';
import { customResourceProvider } from '../../src/provider.js';
import { silentLog } from '../fixtures/log.js';
import { cognitoProperties, createRequest, toEvent } from '../fixtures/requests.js';
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

function provider(guard: IdempotencyGuard = unguarded) {
  const log = silentLog();
  const handle = customResourceProvider({
    clientFor: () => client,
    guard,
    log,
    defaultRegion: 'eu-west-1',
    allowedResponseHosts: ['127.0.0.1'],
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

  it('sends no response while the same request runs elsewhere', async () => {
    const inProgress: IdempotencyGuard = { run: async () => ({ kind: 'in-progress' }) };
    const request = createRequest(cognitoProperties(), { responseUrl: responses.url() });
    expect(await provider(inProgress).handle(toEvent(request), context)).toEqual({
      answered: false,
      why: 'in-progress-elsewhere',
    });
    expect(responses.received).toHaveLength(0);
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
