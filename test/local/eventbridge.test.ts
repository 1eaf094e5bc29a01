import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventBridgeStandIn, startEventBridge } from '../../local/eventbridge.js';
import { eventBridgePublisher } from '../../src/drift/events.js';

const credentials = { accessKeyId: 'AKIDPUBLISHER', secretAccessKey: 'secret' };

let events: EventBridgeStandIn;
let client: EventBridgeClient;
beforeAll(async () => {
  events = await startEventBridge();
  client = new EventBridgeClient({ region: 'ap-east-2', endpoint: events.endpoint, credentials });
});
afterAll(async () => {
  client.destroy();
  await events.close();
});

describe('EventBridge stand-in', () => {
  it('records what the SDK puts, with its bus, signing region and key', async () => {
    events.clear();
    const answer = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'app', DetailType: 'Thing Happened', Detail: '{"a":1}' },
          { Source: 'app', DetailType: 'Other', Detail: '{}', EventBusName: 'alerts' },
        ],
      }),
    );
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries?.map((e) => e.EventId)).toEqual(events.events.map((e) => e.eventId));
    expect(events.events).toMatchObject([
      {
        source: 'app',
        detailType: 'Thing Happened',
        detail: { a: 1 },
        eventBusName: 'default',
        region: 'ap-east-2',
        accessKeyId: 'AKIDPUBLISHER',
      },
      { eventBusName: 'alerts', detail: {} },
    ]);
    expect(events.requests.map((r) => r.target)).toEqual(['AWSEvents.PutEvents']);
  });

  it('fails an entry as EventBridge does: a Detail that is not a JSON object, a bus that does not exist', async () => {
    events.clear();
    events.refuse('missing');
    const answer = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'app', DetailType: 'T', Detail: '[1]' },
          { Source: 'app', DetailType: 'T', Detail: '{}', EventBusName: 'missing' },
          { Source: 'app', DetailType: 'T', Detail: '{}' },
        ],
      }),
    );
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'MalformedDetail',
      'ResourceNotFoundException',
      'ok',
    ]);
    expect(events.events).toHaveLength(1);
  });

  it('is what the SDK reaches through AWS_ENDPOINT_URL_EVENTBRIDGE', async () => {
    events.clear();
    const saved = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = events.endpoint;
    const fromEnv = new EventBridgeClient({ region: 'eu-west-1', credentials });
    try {
      await fromEnv.send(
        new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }),
      );
    } finally {
      fromEnv.destroy();
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
      else process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = saved;
    }
    expect(events.events.map((e) => e.region)).toEqual(['eu-west-1']);
  });
});

describe('the drift event publisher (src/drift/events.ts)', () => {
  const detail = {
    StackId: 'arn:aws:cloudformation:ap-east-2:123456789012:stack/app/1',
    LogicalResourceId: 'Source',
    IdentitySourceId: 'IS1',
    PolicyStoreId: 'PS1',
    Region: 'ap-east-2',
    Status: 'DELETED' as const,
    Differences: [],
    Repaired: false,
  };

  it('puts one event with the contract Source and DetailType on the named bus', async () => {
    events.clear();
    await eventBridgePublisher({ busName: 'platform', client })(detail);
    expect(events.events).toMatchObject([
      {
        source: 'verified-permissions-identity-source',
        detailType: 'Identity Source Drift',
        eventBusName: 'platform',
        detail,
      },
    ]);
  });

  it('throws when the entry is refused', async () => {
    events.refuse('gone');
    await expect(eventBridgePublisher({ busName: 'gone', client })(detail)).rejects.toThrow(
      /refused the drift event on bus gone: ResourceNotFoundException/,
    );
  });
});
