/**
 * Property-based: arbitrary events — wrong types, missing fields, huge strings, unicode, deep
 * nesting, unknown request types, absent or malformed ResponseURLs, unknown properties —
 * through the provider, with the real SDK against the Verified Permissions double and real
 * PUTs to a local ResponseURL. For every event: exactly one well-formed response of at most
 * 4096 bytes when the URL is allowed, none otherwise; no crash, no unhandled rejection; a
 * FAILED Reason that names the problem; no URL signature in any log line.
 *
 * Seeded and reproducible: FUZZ_SEED=<n> replays a run, FUZZ_RUNS sets the count (10 000 by
 * default). fast-check prints the seed and the shrunk counter-example on failure.
 */
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startVerifiedPermissionsDouble,
  type VerifiedPermissionsDouble,
} from '../../local/verified-permissions/double.js';
import { parseProperties } from '../../src/identity-source/properties.js';
import { ownClients } from '../../src/identity-source/service.js';
import type { IdempotencyGuard } from '../../src/persistence/idempotency.js';
import { customResourceProvider } from '../../src/provider.js';
import { silentLog } from '../fixtures/log.js';
import { cognitoProperties, oidcProperties } from '../fixtures/requests.js';
import { type ResponseRecorder, startResponseRecorder } from '../support/response-recorder.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED =
  process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED);
const SIGNATURE = 'X-Amz-Signature=fuzzsecret';

let double: VerifiedPermissionsDouble;
let recorder: ResponseRecorder;
const stores: string[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  double = await startVerifiedPermissionsDouble();
  recorder = await startResponseRecorder();
  for (let i = 0; i < 8; i++) stores.push(double.addPolicyStore());
  process.env.AWS_ENDPOINT_URL_VERIFIEDPERMISSIONS = double.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDFUZZ';
  process.env.AWS_SECRET_ACCESS_KEY = 'fuzz';
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  delete process.env.AWS_ENDPOINT_URL_VERIFIEDPERMISSIONS;
  await recorder?.close();
  await double?.close();
});

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 900, maxLength: 5_000 }),
);
const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  text,
  fc.array(fc.string(), { maxLength: 3 }),
);
const deep = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('node'), { maxKeys: 3 }),
    fc.array(tie('node'), { maxLength: 3 }),
  ),
})).node;

/** Properties: valid ones, valid ones with one part broken, or anything at all. */
const properties = fc.oneof(
  fc
    .constantFrom(0, 1, 2, 3, 4, 5, 6, 7)
    .map((i) => ({ ...cognitoProperties(), PolicyStoreId: stores[i] })),
  fc
    .constantFrom(0, 1, 2, 3, 4, 5, 6, 7)
    .map((i) => ({ ...oidcProperties(), PolicyStoreId: stores[i] })),
  fc
    .tuple(
      fc.constantFrom(
        'PolicyStoreId',
        'Configuration',
        'PrincipalEntityType',
        'UpdateConfiguration',
        'Region',
        'IdentitySourceId',
        'Bogus',
      ),
      fc.oneof(junk, deep),
    )
    .map(([key, value]) => ({ ...cognitoProperties(), [key]: value })),
  fc.record({ Configuration: deep }, { requiredKeys: [] }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(junk, deep), { maxKeys: 4 }),
  junk,
);

const allowedUrl = fc
  .string({ maxLength: 20 })
  .map((s) => recorder.url(`/r/${encodeURIComponent(s)}?${SIGNATURE}`));
const refusedUrl = fc.constantFrom(
  `https://s3.amazonaws.com.evil.io/k?${SIGNATURE}`,
  `https://user:pw@bucket.s3.amazonaws.com/k?${SIGNATURE}`,
  `http://bucket.s3.amazonaws.com/k?${SIGNATURE}`,
  `https://169.254.169.254/k?${SIGNATURE}`,
  'not a url',
  '',
);

const event = fc.record(
  {
    RequestType: fc.oneof(fc.constantFrom('Create', 'Update', 'Delete'), junk),
    ResponseURL: fc.oneof(
      { weight: 6, arbitrary: allowedUrl },
      { weight: 2, arbitrary: refusedUrl },
      { weight: 1, arbitrary: junk },
    ),
    StackId: fc.oneof(
      fc.constant('arn:aws:cloudformation:eu-west-1:123456789012:stack/fuzz/1'),
      junk,
    ),
    RequestId: fc.oneof(fc.uuid(), junk),
    LogicalResourceId: fc.oneof(fc.constant('IdentitySource'), junk),
    ResourceType: fc.oneof(fc.constant('Custom::VerifiedPermissionsIdentitySource'), junk),
    PhysicalResourceId: fc.oneof(
      fc.constantFrom(
        'ISdoesNotExist000000000',
        'NotCreated:x',
        'CreateUnconfirmed:tok',
        'stack-IdentitySource-ABC',
      ),
      junk,
    ),
    ResourceProperties: properties,
    OldResourceProperties: properties,
    Extra: deep,
  },
  { requiredKeys: ['RequestType', 'ResponseURL'] },
);

describe('fuzzed events', () => {
  it(`answer exactly once, well-formed, within 4096 bytes (${RUNS} runs, seed ${SEED})`, async () => {
    const log = silentLog();
    const unguarded: IdempotencyGuard = {
      run: async (_r, _c, compute) => ({ kind: 'computed', outcome: await compute() }),
    };
    const handle = customResourceProvider({
      clientFor: ownClients(),
      guard: unguarded,
      log,
      defaultRegion: 'eu-west-1',
      allowedResponseHosts: ['127.0.0.1'],
    });
    const context = { getRemainingTimeInMillis: () => 3_000, logStreamName: 'fuzz' };
    let answered = 0;

    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 8, arbitrary: event }, junk, deep), async (input) => {
        const before = recorder.requests.length;
        const result = await handle(input, context);
        const puts = recorder.requests.slice(before);
        const e = (typeof input === 'object' && input !== null ? input : {}) as Record<
          string,
          unknown
        >;
        const allowed =
          typeof e.ResponseURL === 'string' && e.ResponseURL.startsWith(recorder.endpoint);
        if (!allowed) {
          expect(puts).toHaveLength(0);
          expect(result.answered).toBe(false);
          return;
        }
        expect(puts).toHaveLength(1);
        answered += 1;
        const put = puts[0]!;
        expect(Buffer.byteLength(put.body)).toBeLessThanOrEqual(4096);
        expect(put.headers['content-type'] ?? '').toBe('');
        const body = put.json as Record<string, unknown>;
        expect(['SUCCESS', 'FAILED']).toContain(body.Status);
        for (const field of ['PhysicalResourceId', 'StackId', 'RequestId', 'LogicalResourceId']) {
          expect(typeof body[field]).toBe('string');
        }
        if (
          typeof e.RequestId === 'string' &&
          Buffer.byteLength(JSON.stringify(e.RequestId)) <= 800
        ) {
          expect(body.RequestId).toBe(e.RequestId);
        }
        if (body.Status === 'FAILED') {
          expect(typeof body.Reason).toBe('string');
          expect((body.Reason as string).length).toBeGreaterThan(0);
        }
        if (
          e.RequestType === 'Create' &&
          body.Reason !== undefined &&
          String(body.Reason).startsWith('Invalid properties')
        ) {
          const parsed = parseProperties((e.ResourceProperties ?? {}) as Record<string, unknown>);
          if (!parsed.ok) expect(String(body.Reason)).toContain(parsed.problems[0]?.path ?? '');
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );

    expect(unhandled).toEqual([]);
    expect(answered).toBeGreaterThan(RUNS / 4);
    expect(log.lines.filter((l) => JSON.stringify(l).includes('fuzzsecret'))).toEqual([]);
  }, 600_000);
});
