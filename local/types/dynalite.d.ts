/**
 * Minimal types for `dynalite` (an in-process DynamoDB imitation on LevelDB), which ships none.
 * Only what the stand-ins in `local/` use.
 */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  namespace dynalite {
    interface Options {
      /** Ms a table stays CREATING (default 500). */
      createTableMs?: number;
      /** Ms a table stays DELETING (default 500). */
      deleteTableMs?: number;
      /** Ms a table stays UPDATING (default 500). */
      updateTableMs?: number;
      /** Maximum item size in KB (default 400). */
      maxItemSizeKb?: number;
      /** LevelDB directory; in memory when omitted. */
      path?: string;
      ssl?: boolean;
      verbose?: boolean;
      debug?: boolean;
    }
  }

  /** Creates (does not start) the HTTP server; call `listen` on it. */
  function dynalite(options?: dynalite.Options): Server;

  export = dynalite;
}
