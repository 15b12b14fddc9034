/**
 * The test tier's Temporal is the real dev server started by the global setup, with the
 * product's search attributes registered (run history is a visibility query on them).
 */
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { searchAttributes } from '../../controller/temporal/search-attributes.js';

/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD */
const indexedValueTypeKeyword = 2;

describe('Temporal dev server for tests', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    await connection.close();
  });

  it('answers on loopback and has every product search attribute registered as a keyword', async () => {
    const response = await connection.operatorService.listSearchAttributes({ namespace: inject('temporalNamespace') });
    const registered = response.customAttributes ?? {};
    for (const name of Object.keys(searchAttributes)) {
      expect(registered[name], `search attribute ${name}`).toBe(indexedValueTypeKeyword);
    }
    expect(inject('temporalAddress')).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
