/** Moved to `local/verified-permissions/`; kept until the property tests import it from there. */
export * from '../../local/verified-permissions/double.js';
