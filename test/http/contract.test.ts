/**
 * What a client generated from openapi.yaml relies on, checked on the document itself (the HTTP tests hold
 * every answer to it; these say the contract names what the answers carry, so a typed client keeps it).
 */
import { loadOpenApi } from '../../src/http/openapi';

type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; items?: Schema; $ref?: string };
type Response = { headers?: Record<string, unknown>; content?: Record<string, { schema?: Schema }>; $ref?: string };
type Operation = { operationId?: string; responses: Record<string, Response> };

const doc = loadOpenApi() as unknown as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
const METHODS = ['get', 'put', 'post', 'delete'];
const operations = Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })));
const operation = (method: string, path: string) => doc.paths[path][method];
const schema = (name: string) => doc.components.schemas[name];
const jsonSchema = (op: Operation, status: string) => op.responses[status].content?.['application/json']?.schema;

describe('the contract a client is generated from', () => {
  test('when a client is generated, then every operation has an operationId of its own', () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(operations.filter(({ op }) => !op.operationId).map(({ method, path }) => `${method} ${path}`)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('when work is accepted (202), then Location is documented: the status to poll', () => {
    const accepted = [
      ['post', '/rosters'],
      ['post', '/rosters/{rosterId}/replan'],
      ['post', '/rosters/{rosterId}/drills'],
      ['post', '/simulations'],
      ['post', '/skill-groups/{skillGroupId}/training'],
      ['post', '/skill-groups/{skillGroupId}/forecast/refresh'],
      ['post', '/trigger/ticks'],
    ];
    for (const [method, path] of accepted) expect([path, Object.keys(operation(method, path).responses['202'].headers ?? {})]).toEqual([path, ['Location']]);
  });

  test('when answers carry fields, then the contract names them (a generated client would drop the others)', () => {
    expect(Object.keys(schema('HistorySummary').properties!)).toEqual(expect.arrayContaining(['missingIntervals', 'missingSample']));
    expect(schema('Roster').properties!.links.required).toEqual(['coverage', 'shifts', 'slots', 'csv']);
    const training = jsonSchema(operation('post', '/skill-groups/{skillGroupId}/training'), '202')!;
    expect(training.properties!.jobs.items!.required).toEqual(['horizon', 'jobId', 'status']);
    expect(jsonSchema(operation('get', '/skill-groups/{skillGroupId}/backtest'), '200')!.required).toEqual(['skillGroupId', 'horizon', 'version', 'metrics']);
    expect(jsonSchema(operation('get', '/skill-groups/{skillGroupId}/models/{horizon}'), '200')!.items!.$ref).toBe('#/components/schemas/ModelVersion');
    expect(jsonSchema(operation('post', '/skill-groups/{skillGroupId}/models/{horizon}/rollback'), '200')!.$ref).toBe('#/components/schemas/ModelVersion');
    expect(jsonSchema(operation('get', '/rosters'), '200')!.items!.$ref).toBe('#/components/schemas/RosterListItem');
    expect(schema('RosterStatus').properties!.progress.required).toEqual(['phase', 'percent']);
    expect(schema('RealtimeForecast').properties!.total.required).toEqual(['p10', 'p50', 'p90']);
    for (const name of ['Shift', 'Slot', 'Claim', 'CoverageRow']) expect(schema(name).required!.length).toBeGreaterThan(5);
  });

  test('when a roster route is asked while its roster is being built, then its 409 is documented', () => {
    for (const path of ['/rosters/{rosterId}', '/rosters/{rosterId}/coverage', '/rosters/{rosterId}/shifts', '/rosters/{rosterId}/roster.csv', '/rosters/{rosterId}/slots']) {
      expect([path, operation('get', path).responses['409']]).toEqual([path, expect.anything()]);
    }
  });

  test('when a GET is revalidated with If-None-Match, then its 304 is documented', () => {
    // every GET answers with an ETag and revalidates (the trigger's lists and /health too); /metrics is
    // written by prom-client for scrapers that never revalidate, and always answers 200
    const gets = operations.filter(({ method, path }) => method === 'get' && path !== '/metrics');
    expect(gets.filter(({ op }) => !op.responses['304']).map(({ path }) => path)).toEqual([]);
  });
});
