/**
 * The drift event: one EventBridge event per drifted identity source, on the bus the
 * `DriftEventBusName` parameter names (environment `DRIFT_EVENT_BUS_NAME`, default `default`).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Difference } from '../identity-source/drift.js';

/** The event's `Source`. */
export const DRIFT_EVENT_SOURCE = 'verified-permissions-identity-source';
/** The event's `DetailType`. */
export const DRIFT_DETAIL_TYPE = 'Identity Source Drift';

/** The event's `Detail`. */
export interface DriftDetail {
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly IdentitySourceId: string;
  readonly PolicyStoreId: string;
  readonly Region: string;
  readonly Status: 'MODIFIED' | 'DELETED';
  /** Empty for a deleted source. */
  readonly Differences: readonly Difference[];
  /** The source was updated back to the properties last applied. */
  readonly Repaired: boolean;
}

/** Puts one drift event; throws when it was not accepted. Replaceable in tests. */
export type PublishDrift = (detail: DriftDetail) => Promise<void>;

/**
 * The SDK's EventBridge client (it honours `AWS_ENDPOINT_URL_EVENTBRIDGE` and the other SDK
 * settings), putting each event on `busName`.
 *
 * @example
 * ```ts
 * const publish = eventBridgePublisher({ busName: process.env.DRIFT_EVENT_BUS_NAME || 'default' });
 * await publish({ StackId, LogicalResourceId, …, Status: 'DELETED', Differences: [], Repaired: false });
 * ```
 * @throws Error when EventBridge refuses the entry (`FailedEntryCount` > 0) or cannot be reached
 */
export function eventBridgePublisher(options: {
  readonly busName: string;
  readonly client?: EventBridgeClient;
}): PublishDrift {
  const client = options.client ?? new EventBridgeClient({});
  return async (detail) => {
    const answer = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: DRIFT_EVENT_SOURCE,
            DetailType: DRIFT_DETAIL_TYPE,
            Detail: JSON.stringify(detail),
            EventBusName: options.busName,
          },
        ],
      }),
    );
    if ((answer.FailedEntryCount ?? 0) > 0) {
      const entry = answer.Entries?.[0];
      throw Object.assign(
        new Error(
          `EventBridge refused the drift event on bus ${options.busName}: ${entry?.ErrorCode ?? '?'} ${entry?.ErrorMessage ?? ''}`.trim(),
        ),
        { name: 'PutEventsFailed' },
      );
    }
  };
}
