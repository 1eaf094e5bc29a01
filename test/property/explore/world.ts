/**
 * The story's world: the stand-ins (the Verified Permissions double and dynalite, shared by all
 * stories, reset between them), the story's step counter and fault, and each invocation's ports
 * — gated by its kill switch, so that once it dies no call it makes ever settles and nothing it
 * does reaches a port again, as if the process were gone.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { VerifiedPermissionsClient } from '@aws-sdk/client-verifiedpermissions';
import { type DynamoDbLocal, startDynamoDb } from '../../../local/dynamodb.js';
import {
  startVerifiedPermissionsDouble,
  type VerifiedPermissionsDouble,
} from '../../../local/verified-permissions/double.js';
import { advance, moveTo, now } from './clock.js';
import {
  aborted,
  applies,
  connectionRefused,
  dynamoDenied,
  type Fault,
  type FaultKind,
  type PortName,
  timedOut,
  vpDenied,
} from './faults.js';
import type { InvocationPorts, StackDescription, StackTemplate } from './ports.js';

/** The function's region and account. */
export const FUNCTION_REGION = 'us-east-1';
export const ACCOUNT_ID = '123456789012';
export const FUNCTION_ARN = `arn:aws:lambda:${FUNCTION_REGION}:${ACCOUNT_ID}:function:provider`;
/** Lambda's timeout for the function (template.yaml). */
export const LAMBDA_TIMEOUT_MS = 300_000;

/** The stand-ins every story uses. */
export interface Services {
  readonly double: VerifiedPermissionsDouble;
  readonly db: DynamoDbLocal;
  /** An ungated client, for setting stories up and for the invariants. */
  vpClient(region: string): VerifiedPermissionsClient;
  stop(): Promise<void>;
}

/** Starts the double and dynalite on loopback. */
export async function startServices(): Promise<Services> {
  const double = await startVerifiedPermissionsDouble();
  const db = await startDynamoDb({ region: FUNCTION_REGION });
  const clients = new Map<string, VerifiedPermissionsClient>();
  return {
    double,
    db,
    vpClient(region) {
      let client = clients.get(region);
      if (client === undefined) {
        client = new VerifiedPermissionsClient({
          region,
          endpoint: double.endpoint,
          credentials: { accessKeyId: 'AKIDEXPLORE', secretAccessKey: 'explore' },
          maxAttempts: 1,
        });
        clients.set(region, client);
      }
      return client;
    },
    async stop() {
      for (const client of clients.values()) client.destroy();
      await db.stop();
      await double.close();
    },
  };
}

/** What CloudFormation answers on the ports the provider calls it through. */
export interface CloudFormationSide {
  receive(url: string, body: string): { statusCode: number };
  describeStack(stackId: string): StackDescription;
  getTemplate(stackId: string): StackTemplate;
}

/** Where the fault landed, for the story's report. */
export interface FaultHit {
  readonly kind: FaultKind;
  readonly port: PortName;
  readonly operation: string;
  readonly invocation: number;
}

/** How long a stalled call is held while other invocations run (CloudFormation reacts within seconds). */
const STALL_MS = 15_000;

const never = <T>(): Promise<T> => new Promise<T>(() => {});

/** The step counter, the fault, and the trace of one story. */
export class StoryWorld {
  /** Calls from the main phase on (before it, setup: no faults, not counted). */
  counting = false;
  private eligible = 0;
  private total = 0;
  private invocations = 0;
  hit: FaultHit | undefined;
  readonly trace: string[] = [];
  /** Regions whose Verified Permissions endpoint refuses every connection (nothing is sent). */
  readonly unreachableRegions = new Set<string>();

  constructor(
    readonly services: Services,
    readonly fault: Fault | undefined,
    readonly cloudFormation: CloudFormationSide,
  ) {}

  /** Starts one invocation's run: its own ports, its own kill switch. */
  startInvocation(label: string, waitEnd: number | undefined): InvocationRun {
    this.invocations += 1;
    return new InvocationRun(this, this.invocations, label, waitEnd);
  }

  /** Counts a call; the fault it suffers, if this is the fault's step. */
  step(port: PortName, operation: string, invocation: number): FaultKind | undefined {
    const n = this.total++;
    let kind: FaultKind | undefined;
    if (this.counting && this.fault !== undefined && applies(this.fault.kind, port)) {
      if (this.eligible++ === this.fault.step) {
        kind = this.fault.kind;
        this.hit = { kind, port, operation, invocation };
      }
    }
    this.trace.push(
      `${new Date(now()).toISOString()} #${n} inv${invocation} ${port} ${operation}${kind ? `  <-- ${kind}` : ''}`,
    );
    return kind;
  }
}

/** How each fault plays out on one port. */
interface Gate<T> {
  readonly perform: () => Promise<T>;
  readonly slow: () => Promise<T>;
  readonly deny: () => Error;
}

/** One invocation: its ports, gated by its kill switch. */
export class InvocationRun {
  dead = false;
  /** Why it died, if it did. */
  deathCause: string | undefined;
  readonly died: Promise<void>;
  private markDied!: () => void;
  /** A call held back while the world goes on (the `stall` fault): when it goes on, and how. */
  private stall: { readonly until: number; readonly release: () => void } | undefined;
  private stallStarted: (() => void) | undefined;
  readonly lambdaDeadline: number;
  /** Service calls that were slow: the service applies them once the invocation is over. */
  private readonly deferred: (() => Promise<unknown>)[] = [];
  readonly ports: InvocationPorts;

  constructor(
    private readonly world: StoryWorld,
    readonly id: number,
    readonly label: string,
    /** When CloudFormation stops waiting (Create, Update): the provider's budget ends there too. */
    private readonly waitEnd: number | undefined,
  ) {
    this.died = new Promise((resolve) => {
      this.markDied = resolve;
    });
    this.lambdaDeadline = now() + LAMBDA_TIMEOUT_MS;
    this.ports = this.makePorts();
  }

  /** Kills the process: nothing it does reaches a port again. */
  die(cause: string): void {
    if (this.dead) return;
    this.dead = true;
    this.deathCause = cause;
    this.markDied();
  }

  /** Resolves when the invocation next stalls. */
  nextStall(): Promise<void> {
    return new Promise((resolve) => {
      this.stallStarted = resolve;
    });
  }

  /** When the stalled call goes on. */
  stalledUntil(): number {
    return this.stall?.until ?? now();
  }

  /** Lets the stalled call go on. */
  resume(): void {
    const stall = this.stall;
    this.stall = undefined;
    stall?.release();
  }

  /** The invocation is over: later calls never settle; slow calls now reach the service. */
  async finish(): Promise<void> {
    this.dead = true;
    for (const effect of this.deferred.splice(0)) await effect().catch(() => undefined);
  }

  /** When a call that hangs makes the provider give up: just before its budget ends. */
  private giveUpTime(): number {
    const end = Math.min(this.lambdaDeadline, this.waitEnd ?? Number.POSITIVE_INFINITY);
    return Math.max(now(), end - 1_200);
  }

  private async gate<T>(port: PortName, operation: string, how: Gate<T>): Promise<T> {
    if (this.dead) return never();
    if (now() >= this.lambdaDeadline) {
      this.die('lambda-timeout');
      return never();
    }
    const fault = this.world.step(port, operation, this.id);
    switch (fault) {
      case 'crash-before':
        this.die(`crash before ${operation}`);
        return never();
      case 'crash-after': {
        this.dead = true; // nothing else of this invocation gets through while the call lands
        await how.perform().catch(() => undefined);
        this.dead = false;
        this.die(`crash after ${operation}`);
        return never();
      }
      case 'slow':
        return how.slow();
      case 'stall':
        await new Promise<void>((release) => {
          this.stall = { until: now() + STALL_MS, release };
          this.stallStarted?.();
        });
        if (this.dead) return never();
        return how.perform();
      case 'deny':
        throw how.deny();
      case 'never-sent':
        throw connectionRefused();
      case undefined:
        return how.perform();
    }
  }

  private makePorts(): InvocationPorts {
    const { services, cloudFormation } = this.world;
    const vpClients = new Map<string, VerifiedPermissionsClient>();
    const verifiedPermissions = (region: string): VerifiedPermissionsClient => {
      let client = vpClients.get(region);
      if (client === undefined) {
        const real = services.vpClient(region);
        const send = (command: { input: unknown; constructor: { name: string } }) => {
          const operation = command.constructor.name.replace(/Command$/, '');
          const perform = () =>
            real.send(command as Parameters<typeof real.send>[0]).catch((error: unknown) => {
              // The stand-in's Date header is real time, the story's is virtual: not a skew.
              const metadata = (error as { $metadata?: { clockSkewCorrected?: boolean } })
                .$metadata;
              if (metadata !== undefined) delete metadata.clockSkewCorrected;
              throw error;
            });
          const unreachable = this.world.unreachableRegions.has(region);
          return this.gate('verified-permissions', operation, {
            perform: unreachable ? () => Promise.reject(connectionRefused()) : perform,
            slow: async () => {
              this.deferred.push(perform);
              moveTo(this.giveUpTime());
              throw aborted();
            },
            deny: () => vpDenied(operation),
          });
        };
        client = { send } as unknown as VerifiedPermissionsClient;
        vpClients.set(region, client);
      }
      return client;
    };

    const inner = services.db.client.config.requestHandler as unknown as {
      handle(request: unknown, options?: unknown): Promise<unknown>;
    };
    const dynamodb = new DynamoDBClient({
      region: FUNCTION_REGION,
      endpoint: services.db.endpoint,
      credentials: services.db.credentials,
      // One attempt here: the handler below makes the table client's second one.
      maxAttempts: 1,
      requestHandler: {
        handle: (request: { headers: Record<string, string> }, options?: unknown) => {
          const operation =
            String(request.headers['x-amz-target'] ?? '')
              .split('.')
              .pop() ?? '?';
          const perform = () => inner.handle(request, options);
          const attempt = () =>
            this.gate('dynamodb', operation, {
              perform,
              slow: async () => {
                await perform().catch(() => undefined);
                advance(3_000);
                throw timedOut();
              },
              deny: () => dynamoDenied(operation),
            });
          // The provider's table client makes two attempts (src/persistence/table-client.ts): a
          // timeout or a refused connection is tried once more, as the SDK would.
          return attempt().catch((error: { name?: string; code?: string }) => {
            if (error?.name === 'TimeoutError' || error?.code === 'ECONNREFUSED') return attempt();
            throw error;
          });
        },
        updateHttpClientConfig() {},
        httpHandlerConfigs: () => ({}),
      } as unknown as DynamoDBClient['config']['requestHandler'],
    });

    const stackRead = <T>(operation: string, read: () => T) =>
      this.gate('stack-read', operation, {
        perform: async () => read(),
        slow: async () => {
          advance(5_000);
          throw timedOut();
        },
        deny: () =>
          Object.assign(new Error(`not authorized to perform cloudformation:${operation}`), {
            name: 'AccessDenied',
          }),
      });

    return {
      functionRegion: FUNCTION_REGION,
      verifiedPermissions,
      dynamodb,
      tableName: services.db.tableName,
      putResponse: (url, body) =>
        this.gate('response', 'PUT', {
          perform: async () => cloudFormation.receive(url, body),
          slow: async () => cloudFormation.receive(url, body),
          deny: () => new Error('unused'),
        }),
      describeStack: (stackId) =>
        stackRead('DescribeStacks', () => cloudFormation.describeStack(stackId)),
      getTemplate: (stackId) => stackRead('GetTemplate', () => cloudFormation.getTemplate(stackId)),
      sleep: async (ms) => {
        advance(ms);
      },
    };
  }
}
