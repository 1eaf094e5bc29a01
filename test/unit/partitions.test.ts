import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allPartitions, parseArn, partitionOfRegion } from '../../src/partitions.js';

/** The SDK's own partition data (what `partition()` reads), straight from the installed package. */
function sdkPartitionData(): {
  partitions: { id: string; outputs: { dnsSuffix: string }; regions: Record<string, unknown> }[];
} {
  const require = createRequire(import.meta.url);
  const core = dirname(require.resolve('@aws-sdk/core/package.json'));
  const file = join(core, 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js');
  const text = readFileSync(file, 'utf8');
  return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
}

const sdk = sdkPartitionData();

describe('partitions', () => {
  it('lists every partition the SDK knows, with its DNS suffix', () => {
    const ours = allPartitions().map((p) => `${p.id} ${p.dnsSuffix}`);
    const theirs = sdk.partitions.map((p) => `${p.id} ${p.outputs.dnsSuffix}`);
    // When the SDK adds a partition, this names it: add one of its regions to partitions.ts.
    expect(ours.sort()).toEqual(theirs.sort());
  });

  it('places every region the SDK lists in its own partition', () => {
    for (const { id, regions } of sdk.partitions) {
      for (const region of Object.keys(regions).filter((r) => !r.endsWith('-global'))) {
        expect(partitionOfRegion(region)?.id, region).toBe(id);
      }
    }
  });

  it('gives the suffixes of the partitions users name', () => {
    expect(partitionOfRegion('us-east-1')?.dnsSuffix).toBe('amazonaws.com');
    expect(partitionOfRegion('cn-northwest-1')?.dnsSuffix).toBe('amazonaws.com.cn');
    expect(partitionOfRegion('us-gov-east-1')?.dnsSuffix).toBe('amazonaws.com');
    expect(partitionOfRegion('eusc-de-east-1')?.dnsSuffix).toBe('amazonaws.eu');
    expect(partitionOfRegion('us-iso-west-1')?.dnsSuffix).toBe('c2s.ic.gov');
    expect(partitionOfRegion('us-isob-east-1')?.dnsSuffix).toBe('sc2s.sgov.gov');
    expect(partitionOfRegion('eu-isoe-west-1')?.dnsSuffix).toBe('cloud.adc-e.uk');
    expect(partitionOfRegion('us-isof-east-1')?.dnsSuffix).toBe('csp.hci.ic.gov');
  });

  it('places a region newer than the SDK by its partition pattern', () => {
    expect(partitionOfRegion('eusc-de-west-9')?.id).toBe('aws-eusc');
    expect(partitionOfRegion('cn-south-7')?.id).toBe('aws-cn');
    expect(partitionOfRegion('us-gov-north-3')?.id).toBe('aws-us-gov');
  });

  it('refuses names that are no region, pseudo-regions included', () => {
    for (const name of ['', 'Europe', 'aws-global', 'aws-us-gov-global', 'us-east', 'US-EAST-1']) {
      expect(partitionOfRegion(name), name).toBeUndefined();
    }
  });

  it('parses ARNs of every partition', () => {
    for (const { id } of sdk.partitions) {
      const arn = parseArn(`arn:${id}:iam::123456789012:role/path/Deployer`);
      expect(arn, id).toEqual({
        partition: id,
        service: 'iam',
        region: '',
        accountId: '123456789012',
        resourceId: ['role', 'path', 'Deployer'],
      });
    }
    expect(parseArn('not-an-arn')).toBeUndefined();
  });
});
