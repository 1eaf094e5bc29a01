/**
 * The double's write throttle: Create/Update/Delete calls accepted per rolling second, per
 * policy store (the service's rate is about 1) and, on top of that, per account and region
 * (all stores together; the double serves one account, so per signing region). A write that is
 * throttled counts towards neither window, as a refused request uses up no rate. Each limit is
 * off when undefined or 0.
 *
 * @module
 */
import { ServiceError } from './wire.js';

/** The limits, in accepted writes per rolling second. */
export interface WriteLimits {
  perStore: number | undefined;
  perAccount: number | undefined;
}

const WINDOW_MS = 1000;

/**
 * @example
 * ```ts
 * const throttle = new WriteThrottle({ perStore: 1, perAccount: 10 });
 * throttle.admit('store-1', 'eu-west-1', Date.now()); // throws ThrottlingException over a limit
 * ```
 */
export class WriteThrottle implements WriteLimits {
  perStore: number | undefined;
  perAccount: number | undefined;
  readonly #byStore = new Map<string, number[]>();
  readonly #byAccount = new Map<string, number[]>();

  constructor(limits: WriteLimits) {
    this.perStore = limits.perStore;
    this.perAccount = limits.perAccount;
  }

  /** Counts one write to `store` in `account` at `now`; throws `ThrottlingException` over a limit. */
  admit(store: string, account: string, now: number): void {
    const storeWindow = recent(this.#byStore, store, now);
    const accountWindow = recent(this.#byAccount, account, now);
    if (over(storeWindow, this.perStore) || over(accountWindow, this.perAccount)) {
      throw new ServiceError('ThrottlingException', 'Rate exceeded', {
        serviceCode: 'verifiedpermissions',
      });
    }
    if (this.perStore) storeWindow.push(now);
    if (this.perAccount) accountWindow.push(now);
  }

  clear(): void {
    this.#byStore.clear();
    this.#byAccount.clear();
  }
}

/** The key's writes within the last second (the older ones forgotten). */
function recent(windows: Map<string, number[]>, key: string, now: number): number[] {
  const kept = (windows.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
  windows.set(key, kept);
  return kept;
}

function over(window: readonly number[], limit: number | undefined): boolean {
  return !!limit && window.length >= limit;
}
