// Kubernetes Events for errors and changes. Deduplicated in memory: the same message for the same
// object is recorded once, so a resync at rest writes nothing. Across restarts and failovers the
// event's name deduplicates: it is a hash of the object (with its uid), the reason and the message,
// so a replica that records what an earlier one already recorded gets 409 AlreadyExists and stays
// quiet. No `list` on events is needed (the RBAC has none: create and patch only).
import type { KubeClient } from '../kube/client.js';
import { isConflict } from '../kube/errors.js';
import { createHash } from 'node:crypto';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  /** Namespaced objects only; events of cluster-scoped objects go to the `default` namespace. */
  namespace?: string;
  uid?: string;
}

export interface EventSink {
  record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

const MAX_MESSAGE = 1024;

/** The event's name: the same object, reason and message always give the same name. */
export function eventName(target: EventTarget, reason: string, message: string): string {
  const id = [target.kind, target.namespace ?? '', target.name, target.uid ?? '', reason, message.slice(0, MAX_MESSAGE)].join('\u0000');
  const suffix = createHash('sha256').update(id).digest('hex').slice(0, 16);
  // Object names may be up to 253 characters; the suffix must survive the cut.
  return `${target.name.slice(0, 253 - suffix.length - 1)}.${suffix}`;
}

export class KubeEvents implements EventSink {
  private readonly last = new Map<string, string>();

  constructor(private readonly client: KubeClient, private readonly component: string, private readonly onWrite: () => void) {}

  async record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const key = `${target.kind}/${target.namespace ?? ''}/${target.name}/${reason}`;
    const previous = this.last.get(key);
    if (previous === message) return;
    this.last.set(key, message);
    const namespace = target.namespace ?? 'default';
    const name = eventName(target, reason, message);
    const time = new Date().toISOString();
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;
    this.onWrite();
    try {
      await this.client.request('POST', path, {
        body: {
          apiVersion: 'v1', kind: 'Event',
          metadata: { name, namespace },
          involvedObject: { apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace, uid: target.uid },
          type, reason, message: message.slice(0, MAX_MESSAGE),
          source: { component: this.component },
          reportingComponent: this.component,
          firstTimestamp: time, lastTimestamp: time, count: 1,
        },
      });
    } catch (err) {
      if (!isConflict(err)) throw err;
      // The same event exists. First time in this process: recorded by an earlier replica (restart,
      // failover), stay quiet. Otherwise the message came back after another one: say when it
      // happened again (the Event's lastTimestamp), as kubectl's event series do.
      if (previous === undefined) return;
      await this.client.request('PATCH', `${path}/${encodeURIComponent(name)}`, {
        body: { lastTimestamp: time }, contentType: 'application/merge-patch+json',
      });
    }
  }

  /** Forget a target (e.g. a deleted policy), so a new object of that name gets its events. */
  forget(prefix: string): void {
    for (const k of this.last.keys()) if (k.startsWith(prefix)) this.last.delete(k);
  }
}
