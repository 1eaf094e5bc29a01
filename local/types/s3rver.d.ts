/**
 * Minimal types for `@20minutes/s3rver` (a local S3 imitation on Koa), which ships none.
 * Only what the stand-ins in `local/` use.
 */
declare module '@20minutes/s3rver' {
  import type { AddressInfo } from 'node:net';

  namespace S3rver {
    interface Options {
      /** Default `localhost`. */
      address?: string;
      /** Default 4568; 0 for a random port. */
      port?: number;
      /** No request logging when true. */
      silent?: boolean;
      /** Where objects are stored (a filesystem store; there is no in-memory one). */
      directory?: string;
      /** Empty the store when the server closes. */
      resetOnClose?: boolean;
      /** Accept requests whose signature does not match (default false: they get 403). */
      allowMismatchedSignatures?: boolean;
      vhostBuckets?: boolean;
      serviceEndpoint?: string;
      /** Buckets created at start. */
      configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
    }

    /** The part of a Koa context the stand-ins touch. */
    interface Context {
      method: string;
      /** The request path, without the query; assigning it rewrites the request's URL. */
      path: string;
      query: Record<string, string | string[] | undefined>;
      /** The raw query; assigning it replaces the request's query. */
      querystring: string;
      /** Koa's per-request scratch space (s3rver keeps its own flags there too). */
      state: Record<string, unknown>;
      headers: Record<string, string | string[] | undefined>;
      status: number;
      type: string;
      body: unknown;
    }

    type Middleware = (context: Context, next: () => Promise<void>) => Promise<void> | void;
  }

  class S3rver {
    constructor(options?: S3rver.Options);
    /** Koa's middleware list (S3rver extends Koa); composed when the server starts listening. */
    middleware: S3rver.Middleware[];
    /** Creates the configured buckets and starts listening. */
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
  }

  export = S3rver;
}
