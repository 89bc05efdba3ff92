// Two kinds of failure, because Gatekeeper caches per-key answers (values and errors) for minutes
// but never a response's systemError:
// - TransientError: the verdict could not be reached now (registry down or slow, 5xx, 429, time
//   budget spent, configuration not loaded yet). Reported as systemError; the key gets no item,
//   so nothing is cached and the next admission asks again. The template denies on it.
// - ItemError: a definitive answer that is not "verified" (no valid signature, access refused,
//   image not found, malformed key). Reported as the key's item error; cacheable.
// Messages name hosts, repositories and digests only: never credentials, tokens or headers.
export class TransientError extends Error {
  constructor(message: string, readonly reason: string) {
    super(message);
  }
}

export class ItemError extends Error {
  constructor(message: string, readonly reason: string) {
    super(message);
  }
}
