/**
 * The SMS gateway signs the exact bytes it sends (`<t>.<raw body bytes>`), and they are checked as sent:
 * a body starting with a UTF-8 byte order mark, or in Latin-1, was decoded (the BOM dropped) before the
 * HMAC was computed, and a correctly signed answer was refused 401 "signature is wrong".
 */
import { createHmac } from 'node:crypto';
import { gatewayText } from '../../src/http/routes/trigger';
import { startTestService, type TestService } from '../support/service';

const SECRET = 'webhook-secret-0123456789';
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** As the README tells the gateway: HMAC-SHA256 over `<t>.<raw body bytes>`. */
const signed = (bytes: Buffer, t = Math.floor(Date.now() / 1000)) =>
  `t=${t},v1=${createHmac('sha256', SECRET).update(Buffer.concat([Buffer.from(`${t}.`), bytes])).digest('hex')}`;

describe('gateway answers signed over their bytes', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ WEBHOOK_SECRET: SECRET });
  });
  afterAll(() => t.stop());

  const inbound = (bytes: Buffer, contentType: string, signature = signed(bytes)) =>
    // (superagent would send a Buffer under a JSON type as JSON of the Buffer: the bytes go as they are)
    t.http.post('/callouts/inbound').set('Content-Type', contentType).set('X-Wfm-Signature', signature).serialize((body: unknown) => body as string).send(bytes);
  // an id no callout has: once signature and decoding hold, the answer is a 404 quoting the id as read
  const answer = JSON.stringify({ calloutId: 'co_é', answer: 'accept' });

  test('when a signed UTF-8 body starts with a byte order mark, then the signature holds and the body is read without it', async () => {
    const bytes = Buffer.concat([BOM, Buffer.from(answer, 'utf8')]);
    for (const type of ['application/json', 'application/json; charset=utf-8']) {
      const res = await inbound(bytes, type);
      expect([type, res.status, res.body.detail, res.body.errors]).toEqual([type, 404, 'callout co_é does not exist', [{ where: '/body/calloutId', message: 'no such callout' }]]);
    }
  });

  test('when a signed body is Latin-1 and says so, then the signature holds and it is read as Latin-1; undeclared, it is a 400 after the signature check', async () => {
    const bytes = Buffer.from(answer, 'latin1');
    expect(bytes.includes(0xe9)).toBe(true);
    for (const type of ['application/json; charset=iso-8859-1', 'application/json;charset="ISO-8859-1"']) {
      const res = await inbound(bytes, type);
      expect([type, res.status, res.body.detail]).toEqual([type, 404, 'callout co_é does not exist']);
    }
    const undeclared = await inbound(bytes, 'application/json');
    expect([undeclared.status, undeclared.type, undeclared.body.errors]).toEqual([400, 'application/problem+json', [{ where: '/body', message: 'not valid utf-8' }]]);
    const unknown = await inbound(bytes, 'application/json; charset=x-martian');
    expect([unknown.status, unknown.body.errors]).toEqual([415, [{ where: '/body', message: 'unsupported charset x-martian' }]]);
    // the signature is checked first: the same bytes signed wrongly are a 401, whatever their charset
    const wrong = await inbound(bytes, 'application/json; charset=x-martian', signed(Buffer.from(answer, 'utf8')));
    expect([wrong.status, wrong.body.detail]).toEqual([401, 'the request signature is wrong']);
  });

  test('when a signed body is not application/json, then it is a 415 — after the signature: unsigned, the same request is only a 401', async () => {
    const bytes = Buffer.from(answer, 'utf8');
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'text/plain; charset=utf-8']) {
      const res = await inbound(bytes, type);
      expect([type, res.status, res.type, res.body.errors]).toEqual([type, 415, 'application/problem+json', [{ where: '/body', message: `expected a JSON body with Content-Type: application/json, got Content-Type ${type.split(';')[0]}` }]]);
      const unsigned = await inbound(bytes, type, signed(Buffer.from('{}')));
      expect([type, unsigned.status, unsigned.body.detail]).toEqual([type, 401, 'the request signature is wrong']);
    }
  });

  test('when a signed body is not JSON or breaks the schema, then it is a 400, as everywhere else in the API', async () => {
    const cases: Array<[string, string]> = [
      ['{bad', '/body'],
      [JSON.stringify({ calloutId: 'co_x', answer: 'maybe' }), '/body/answer'],
      [JSON.stringify({ answer: 'accept' }), '/body/calloutId'],
    ];
    for (const [body, where] of cases) {
      const res = await inbound(Buffer.from(body), 'application/json');
      expect([body, res.status, res.type, res.body.errors.map((e: { where: string }) => e.where)]).toEqual([body, 400, 'application/problem+json', [where]]);
    }
  });

  test('gatewayText decodes by the declared charset, dropping a BOM; only application/json', () => {
    expect(gatewayText('application/json')(Buffer.concat([BOM, Buffer.from('{"a":"ü"}')]))).toBe('{"a":"ü"}');
    expect(gatewayText('application/json; charset=utf-16le')(Buffer.from('\ufeff{"a":"ü"}', 'utf16le'))).toBe('{"a":"ü"}');
    expect(gatewayText('Application/JSON; charset=latin1')(Buffer.from([0x7b, 0xfc, 0x7d]))).toBe('{ü}');
    for (const type of [undefined, 'text/plain; charset=latin1', 'application/xml', 'application/json-seq']) {
      expect(() => gatewayText(type)(Buffer.from('{}'))).toThrow(expect.objectContaining({ status: 415 }));
    }
  });
});
