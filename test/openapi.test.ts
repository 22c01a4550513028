import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createHarness, type Harness } from './helpers/harness.js';

/** The paths of API.md that this release serves; outside suites call exactly these. */
const contract = [
  ['post', '/api/v1/accounts'],
  ['post', '/api/v1/sessions'],
  ['post', '/api/v1/sessions/mfa'],
  ['delete', '/api/v1/sessions/current'],
  ['get', '/api/v1/me'],
  ['post', '/api/v1/me/step-up'],
  ['post', '/api/v1/me/mfa-device'],
  ['post', '/api/v1/me/mfa-device/activate'],
  ['delete', '/api/v1/me/mfa-device'],
  ['post', '/api/v1/me/mfa-device/resync'],
  ['get', '/api/v1/audit-events'],
  ['post', '/api/v1/users'],
  ['get', '/api/v1/users'],
  ['get', '/api/v1/users/{id}'],
  ['patch', '/api/v1/users/{id}'],
  ['delete', '/api/v1/users/{id}'],
  ['post', '/api/v1/users/{id}/mfa-device'],
  ['post', '/api/v1/users/{id}/mfa-device/activate'],
  ['delete', '/api/v1/users/{id}/mfa-device'],
  ['get', '/api/v1/dev/outbox'],
  ['post', '/api/v1/me/verifications'],
  ['patch', '/api/v1/me'],
  ['get', '/api/v1/me/protection'],
  ['put', '/api/v1/me/protection'],
  ['post', '/api/v1/workspaces'],
  ['get', '/api/v1/workspaces'],
  ['get', '/api/v1/workspaces/{id}'],
  ['patch', '/api/v1/workspaces/{id}'],
  ['post', '/api/v1/workspaces/{id}/members'],
  ['get', '/api/v1/workspaces/{id}/members'],
] as const;

describe('GET /api/v1/openapi.json', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => h.close());

  it('describes every contract path with its request schema and error responses', async () => {
    const res = await call(h.app, 'GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.0.3');
    for (const [method, path] of contract) {
      const operation = res.body.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(
        Object.keys(operation.responses).some((s) => s.startsWith('2')),
        `${method} ${path} has a success response`,
      ).toBe(true);
      expect(
        Object.keys(operation.responses).some((s) => s.startsWith('4')),
        `${method} ${path} lists its errors`,
      ).toBe(true);
    }
    expect(
      res.body.paths['/api/v1/sessions/mfa'].post.requestBody.content['application/json'].schema.properties.code
        .pattern,
    ).toBe('^[0-9]{6}$');
    // One operationId per operation, unique; a real description on every response; errors point
    // at the one shared error schema, whose code is the closed catalogue.
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(res.body.paths as Record<string, Record<string, any>>)) {
      for (const [method, operation] of Object.entries(item)) {
        expect(operation.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
        expect(ids.has(operation.operationId), `${operation.operationId} is unique`).toBe(false);
        ids.add(operation.operationId);
        for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
          expect(response.description, `${method} ${path} ${status}`).not.toBe('Default Response');
          if (status.startsWith('4') || status.startsWith('5'))
            expect(response.content['application/json'].schema.$ref, `${method} ${path} ${status}`).toBe(
              '#/components/schemas/ErrorResponse',
            );
        }
      }
    }
    const { errorCatalogue } = await import('../src/errors/codes.js');
    expect(res.body.components.schemas.ErrorResponse.properties.error.properties.code.enum).toEqual(
      Object.keys(errorCatalogue),
    );
    // Public endpoints need no authentication; the rest take the bearer token or the cookie.
    expect(res.body.paths['/api/v1/sessions'].post.security).toEqual([]);
    expect(res.body.paths['/api/v1/accounts'].post.security).toEqual([]);
    expect(res.body.paths['/api/v1/me'].get.security).toBeUndefined();
    expect(res.body.security).toEqual([{ bearer: [] }, { cookie: [] }]);
    // Console pages and health checks are not part of the API description.
    expect(Object.keys(res.body.paths).every((p) => p.startsWith('/api/v1/'))).toBe(true);
  });
});
