/** Bumped whenever a change to proto/ cannot be ignored by an older peer. */
export const PROTOCOL_VERSION = 2;
