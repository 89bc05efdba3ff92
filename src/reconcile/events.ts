// Kubernetes Events for errors and changes. Deduplicated in memory: the same message for the same
// object is recorded once, so a resync at rest writes nothing.
import type { KubeClient } from '../kube/client.js';
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

export class KubeEvents implements EventSink {
  private readonly last = new Map<string, string>();

  constructor(private readonly client: KubeClient, private readonly component: string, private readonly onWrite: () => void) {}

  async record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const key = `${target.kind}/${target.namespace ?? ''}/${target.name}/${reason}`;
    if (this.last.get(key) === message) return;
    const namespace = target.namespace ?? 'default';
    if (!this.last.has(key) && (await this.alreadyRecorded(namespace, target, reason, message))) {
      // Recorded by an earlier run of the operator (restart, failover): stay quiet.
      this.last.set(key, message);
      return;
    }
    this.last.set(key, message);
    const now = new Date();
    const suffix = createHash('sha256').update(`${key}/${message}/${now.getTime()}`).digest('hex').slice(0, 12);
    this.onWrite();
    const time = now.toISOString();
    await this.client.request('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
      body: {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: `${target.name}.${suffix}`.slice(0, 253), namespace },
        involvedObject: { apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace, uid: target.uid },
        type, reason, message: message.slice(0, 1024),
        source: { component: this.component },
        reportingComponent: this.component,
        firstTimestamp: time, lastTimestamp: time, count: 1,
      },
    });
  }

  /** Whether an identical event about this object already exists (one read, first time per key only). */
  private async alreadyRecorded(namespace: string, target: EventTarget, reason: string, message: string): Promise<boolean> {
    try {
      type EventList = { items: { message?: string; source?: { component?: string }; involvedObject?: { uid?: string } }[] };
      const list = await this.client.request<EventList>('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
        query: { fieldSelector: `involvedObject.kind=${target.kind},involvedObject.name=${target.name},reason=${reason}` },
      });
      const text = message.slice(0, 1024);
      return list.items.some((e) => e.message === text && e.source?.component === this.component && (!target.uid || e.involvedObject?.uid === target.uid));
    } catch {
      return false; // cannot tell: record it (an extra event beats a lost one)
    }
  }

  /** Forget a target (e.g. a deleted policy), so a new object of that name gets its events. */
  forget(prefix: string): void {
    for (const k of this.last.keys()) if (k.startsWith(prefix)) this.last.delete(k);
  }
}
