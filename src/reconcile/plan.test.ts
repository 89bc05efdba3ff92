import type { GeneratedObject } from '../compile/types.js';
import { objectKey } from '../compile/types.js';
import { DESIRED_HASH_ANNOTATION, desiredHash, isSubset, plan, withHash, type LiveObject, type LiveState } from './plan.js';

const OWNED = { 'app.kubernetes.io/managed-by': 'admission-policy-engine' };

const template = (name: string): GeneratedObject => ({
  apiVersion: 'templates.gatekeeper.sh/v1', kind: 'ConstraintTemplate', metadata: { name: name.toLowerCase(), labels: OWNED }, spec: { crd: { spec: { names: { kind: name } } } },
});
const constraint = (kind: string, name: string, source?: string): GeneratedObject => ({
  apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind,
  metadata: { name, labels: { ...OWNED, ...(source ? { 'admission-policy-engine.deckhouse.io/source-kind': source.split('/')[0], 'admission-policy-engine.deckhouse.io/source-name': source.split('/')[1] } : {}) } },
  spec: { enforcementAction: 'deny' },
});
const config: GeneratedObject = { apiVersion: 'config.gatekeeper.sh/v1alpha1', kind: 'Config', metadata: { name: 'config', namespace: 'gk', labels: OWNED }, spec: {} };

function live(objects: GeneratedObject[], extra: Partial<LiveState> = {}): LiveState {
  return {
    objects: new Map(objects.map((o) => [objectKey(o), { ...withHash(o), metadata: { ...withHash(o).metadata, resourceVersion: '1' } }])),
    readyTemplates: new Set(), complete: true, accepted: new Map(), ...extra,
  };
}

const desired = (objects: GeneratedObject[], sources: [GeneratedObject, string][] = []) => ({ objects, sources: new Map(sources.map(([o, s]) => [objectKey(o), s])) });
const summary = (actions: ReturnType<typeof plan>) => actions.map((a) => `${a.type}${'reason' in a ? `:${a.reason.split(' ')[0]}` : ''} ${a.object.kind}/${a.object.metadata.name}${a.source ? ` <${a.source}>` : ''}`);

describe('plan', () => {
  test('creates in dependency order: templates, then Config, then constraints of ready templates; others wait', () => {
    const c1 = constraint('D8A', 'p1', 'SecurityPolicy/p1');
    const c2 = constraint('D8B', 'p1', 'SecurityPolicy/p1');
    const actions = plan(desired([c1, c2, config, template('D8A'), template('D8B')], [[c1, 'SecurityPolicy/p1'], [c2, 'SecurityPolicy/p1']]),
      live([], { readyTemplates: new Set(['d8a']) }), { retainSources: new Set() });
    expect(summary(actions)).toEqual([
      'apply:create ConstraintTemplate/d8a', 'apply:create ConstraintTemplate/d8b', 'apply:create Config/config',
      'apply:create D8A/p1 <SecurityPolicy/p1>', 'wait:template D8B/p1 <SecurityPolicy/p1>',
    ]);
    // What is applied carries the hash of the desired content.
    const applied = actions[0];
    expect(applied.type === 'apply' && applied.object.metadata.annotations?.[DESIRED_HASH_ANNOTATION]).toBe(desiredHash(template('D8A')));
  });

  test('at rest: nothing to do', () => {
    const objs = [template('D8A'), config, constraint('D8A', 'p1')];
    expect(plan(desired(objs), live(objs, { readyTemplates: new Set(['d8a']) }), { retainSources: new Set() })).toEqual([]);
  });

  test('an up-to-date constraint whose template is not ready does not wait (it keeps enforcing)', () => {
    const objs = [template('D8A'), constraint('D8A', 'p1')];
    expect(plan(desired(objs), live(objs), { retainSources: new Set() })).toEqual([]);
  });

  test('a changed desired object is updated; drift is re-applied unless the server answered our own apply with it', () => {
    const t = template('D8A');
    const changed = { ...t, spec: { crd: { spec: { names: { kind: 'D8A' } } }, extra: 1 } };
    expect(summary(plan(desired([changed]), live([t]), { retainSources: new Set() }))).toEqual(['apply:update ConstraintTemplate/d8a']);
    const state = live([t]);
    const drifted = { ...state.objects.get(objectKey(t))!, spec: { tampered: true } } as LiveObject;
    const objects = new Map([[objectKey(t), drifted]]);
    expect(summary(plan(desired([t]), { ...state, objects }, { retainSources: new Set() }))).toEqual(['apply:drift ConstraintTemplate/d8a']);
    expect(plan(desired([t]), { ...state, objects, accepted: new Map([[objectKey(t), '1']]) }, { retainSources: new Set() })).toEqual([]);
  });

  test('prunes only owned objects, constraints before templates, never while a list is incomplete, never retained sources', () => {
    const keep = template('D8A');
    const goneT = template('D8B');
    const goneC = constraint('D8B', 'old', 'OperationPolicy/old');
    const retained = constraint('D8A', 'bad', 'SecurityPolicy/bad');
    const foreign = { ...constraint('D8A', 'theirs'), metadata: { name: 'theirs', labels: {} } };
    const state = live([keep, goneT, goneC, retained, foreign]);
    expect(summary(plan(desired([keep]), state, { retainSources: new Set(['SecurityPolicy/bad']) }))).toEqual([
      'delete D8B/old <OperationPolicy/old>', 'delete ConstraintTemplate/d8b',
    ]);
    expect(plan(desired([keep]), { ...state, complete: false }, { retainSources: new Set() })).toEqual([]);
  });

  test('isSubset: lists must match exactly, objects may have more keys', () => {
    expect(isSubset({ a: 1 }, { a: 1, b: 2 })).toBe(true);
    expect(isSubset({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(isSubset({ a: { b: undefined } }, { a: {} })).toBe(true);
    expect(isSubset({ a: 1 }, { a: '1' })).toBe(false);
  });

  test('desiredHash ignores key order', () => {
    expect(desiredHash({ apiVersion: 'v1', kind: 'X', metadata: { name: 'a', labels: { x: '1', y: '2' } } }))
      .toBe(desiredHash({ metadata: { labels: { y: '2', x: '1' }, name: 'a' }, kind: 'X', apiVersion: 'v1' }));
  });
});
