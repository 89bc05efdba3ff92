import { objectKey } from './watched.js';

describe('objectKey', () => {
  test('separates namespaced from cluster-scoped names', () => {
    expect(objectKey('a', 'ns')).toBe('ns/a');
    expect(objectKey('a')).toBe('/a');
  });
});
