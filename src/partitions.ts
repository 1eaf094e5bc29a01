/**
 * Regions, partitions and DNS suffixes: a thin layer on the AWS SDK's own partition data
 * (`partition()` and `parseArn()` of `@aws-sdk/core`), so that every partition the SDK knows —
 * aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc, and any it adds — is known here too.
 *
 * The SDK's `partition()` places every string somewhere (a name it cannot place falls back to
 * `aws`), and its region lists hold pseudo-regions such as `aws-global`. So a name is a region
 * here when it has a region's shape (`<letters>-<letters>-<digits>`, as every listed region
 * has) and the SDK lists it or places it by its partition's region pattern — or, in the `aws`
 * fallback case, as an `aws` region newer than the SDK would be.
 */
import { parseArn as sdkParseArn, partition as sdkPartition } from '@aws-sdk/core/client';

/** What the provider needs to know of a partition. */
export interface Partition {
  /** `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-iso-e`, `aws-iso-f`, `aws-eusc`, … */
  readonly id: string;
  /** Host names end in it: `amazonaws.com`, `amazonaws.com.cn`, `amazonaws.eu`, `c2s.ic.gov`, … */
  readonly dnsSuffix: string;
  readonly dualStackDnsSuffix: string;
  readonly supportsFIPS: boolean;
}

/**
 * One region of each partition, to list the partitions (the SDK answers per region, it has no
 * list). `test/unit/partitions.test.ts` reads the SDK's own data and fails, naming the
 * partition, when the SDK knows one that none of these reaches.
 */
const ONE_REGION_PER_PARTITION = [
  'us-east-1',
  'cn-north-1',
  'us-gov-west-1',
  'us-iso-east-1',
  'us-isob-east-1',
  'eu-isoe-west-1',
  'us-isof-south-1',
  'eusc-de-east-1',
] as const;

/** The shape every AWS region name has; pseudo-regions (`aws-global`, …) do not. */
const REGION_SHAPE = /^[a-z]{2,}(-[a-z]+)+-\d{1,2}$/;

/**
 * The partition of a region, or `undefined` when the name is not a region of any partition.
 *
 * @example
 * ```ts
 * partitionOfRegion('eusc-de-east-1')?.dnsSuffix; // 'amazonaws.eu'
 * partitionOfRegion('cn-north-1')?.id;            // 'aws-cn'
 * partitionOfRegion('not-a-region');              // undefined
 * ```
 */
export function partitionOfRegion(region: string): Partition | undefined {
  if (!REGION_SHAPE.test(region)) return undefined;
  const found = sdkPartition(region);
  return {
    id: found.name,
    dnsSuffix: found.dnsSuffix,
    dualStackDnsSuffix: found.dualStackDnsSuffix,
    supportsFIPS: found.supportsFIPS,
  };
}

/**
 * Every partition, one entry each.
 *
 * @example
 * ```ts
 * allPartitions().map((p) => p.dnsSuffix); // ['amazonaws.com', 'amazonaws.com.cn', 'amazonaws.com', 'c2s.ic.gov', …]
 * ```
 */
export function allPartitions(): readonly Partition[] {
  return ONE_REGION_PER_PARTITION.map((region) => partitionOfRegion(region) as Partition);
}

/** The parts of an ARN. */
export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  /** The resource part, split at `:` and `/`. */
  readonly resourceId: readonly string[];
}

/**
 * Parses an ARN with the SDK's parser; `undefined` when it is not one.
 *
 * @example
 * ```ts
 * parseArn('arn:aws-us-gov:iam::123456789012:role/Deployer')?.accountId; // '123456789012'
 * ```
 */
export function parseArn(value: string): Arn | undefined {
  return sdkParseArn(value) ?? undefined;
}
